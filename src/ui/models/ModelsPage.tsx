import { useEffect } from 'react';
import { AddHubId } from './AddHubId';
import { HubSettingsForm } from './HubSettingsForm';
import { LoadedModelSummary } from './LoadedModelSummary';
import { LoadProgress } from './LoadProgress';
import { LocalFolderPicker } from './LocalFolderPicker';
import { ModelList } from './ModelList';
import { TryItBox } from './TryItBox';
import { useModels } from './use-models';
import './models.css';

/** Models: Pick google/flan-t5-small or -base from the Hugging Face hub, or a local checkpoint folder. */
export function ModelsPage() {
  const message = useModels((s) => s.message);
  useEffect(() => {
    void useModels.getState().init();
  }, []);
  return (
    <section className="page models-page" data-testid="page-models">
      <h1>Models</h1>
      <p className="muted">Pick google/flan-t5-small or -base from the Hugging Face hub, or a local checkpoint folder.</p>
      <HubSettingsForm />
      <ModelList />
      <AddHubId />
      <LocalFolderPicker />
      <LoadProgress />
      {message ? (
        <p className={message.kind === 'error' ? 'error' : 'muted'} data-testid="models-message" role={message.kind === 'error' ? 'alert' : 'status'}>
          {message.text}
        </p>
      ) : null}
      <LoadedModelSummary />
      <TryItBox />
    </section>
  );
}
