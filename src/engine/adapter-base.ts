// How to store the base under an adapter for evaluation: as the user's flags say, else as the adapter's model card
// says (README.md, which Stepwise writes with every adapter; a PEFT adapter_config.json has no field for it), else
// full precision. `note` tells the user which it was when that matters.
import { baseStorageFromCard } from '../io/peft-card';

export interface AdapterBase {
  nf4: boolean;
  doubleQuant: boolean;
  note: string | null;
}

/** `readme` is the adapter's README.md text (undefined when it has none); `where` names the adapter in messages. */
export function adapterBase(readme: string | undefined, where: string, flags: { nf4: boolean; doubleQuant: boolean }): AdapterBase {
  const card = readme === undefined ? null : baseStorageFromCard(readme);
  const cardName = `${where}/README.md`;
  if (flags.nf4) {
    const note = card && !card.nf4 ? `note: ${cardName} says the adapter trained on a full-precision base; evaluating on an NF4 base as --nf4 asks` : null;
    return { nf4: true, doubleQuant: flags.doubleQuant, note };
  }
  if (card?.nf4) {
    return { nf4: true, doubleQuant: card.doubleQuant || flags.doubleQuant, note: `${cardName}: QLoRA adapter, base loaded as NF4${card.doubleQuant ? ' with double-quantized absmax' : ''}` };
  }
  if (flags.doubleQuant) {
    throw new Error(`--double-quant needs --nf4: ${card ? `${cardName} says the adapter trained on a full-precision base` : `${where} has no Stepwise model card (README.md) saying it is QLoRA`}`);
  }
  if (card) return { nf4: false, doubleQuant: false, note: null };
  return {
    nf4: false, doubleQuant: false,
    note: `note: ${where} has no Stepwise model card (README.md) saying how its base was stored, and a PEFT adapter_config.json has no field for it: evaluating on a full-precision base; if it was trained as QLoRA, pass --nf4 (and --double-quant if it was)`,
  };
}
