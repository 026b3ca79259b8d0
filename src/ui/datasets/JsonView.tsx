import { Fragment } from 'react';
import { prettyJson, tokenizeJson } from './json-tokens';

/**
 * A label pretty-printed with JSON syntax highlighting. Every piece is a React text node inside a span, so text
 * from files and teachers can never become markup. Malformed JSON is shown as written (highlighted as far as it goes).
 */
export function JsonView({ text, testId }: { text: string; testId?: string }) {
  const pretty = prettyJson(text);
  const tokens = tokenizeJson(pretty.text);
  return (
    <pre className={`json-view${pretty.parses ? '' : ' json-broken'}`} data-testid={testId}>
      {tokens.map((t) =>
        t.kind === 'space' ? (
          <Fragment key={t.start}>{t.text}</Fragment>
        ) : (
          <span key={t.start} className={`json-${t.kind}`}>
            {t.text}
          </span>
        ),
      )}
    </pre>
  );
}
