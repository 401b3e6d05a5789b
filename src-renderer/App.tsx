import { useMemo, useState } from 'react';
import { createClient, type ConnectionState } from './api/client';
import { BackendBadge } from './components/BackendBadge';
import { ClientContext } from './context';
import { href, useRoute } from './route';
import { AnalysisView } from './views/AnalysisView';
import { BenchmarksView } from './views/BenchmarksView';
import { CellView } from './views/CellView';
import { DatasetsView } from './views/DatasetsView';
import { HomeView } from './views/HomeView';
import { SweepEditor } from './views/SweepEditor';
import { SweepView } from './views/SweepView';
import { SettingsView } from './views/SettingsView';
import { WorkersView } from './views/WorkersView';

export function App() {
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const client = useMemo(() => createClient(setConnection), []);
  const route = useRoute();

  return (
    <ClientContext.Provider value={client}>
      <header className="topbar">
        <a className="brand" href={href({ view: 'home' })}>
          PLW Studio
        </a>
        <nav>
          <a href={href({ view: 'home' })}>Sweeps</a>
          <a href={href({ view: 'new' })}>New sweep</a>
          <a href={href({ view: 'datasets' })}>Datasets</a>
          <a href={href({ view: 'benchmarks' })}>Benchmarks</a>
          <a href={href({ view: 'workers' })}>Workers</a>
          <a href={href({ view: 'settings' })}>Settings</a>
        </nav>
        <BackendBadge />
        <span className={`conn conn-${connection}`} title="connection to the PLW Studio service">
          {connection === 'open' ? 'connected' : connection}
        </span>
      </header>
      <main>
        {route.view === 'home' && <HomeView />}
        {route.view === 'new' && <SweepEditor />}
        {route.view === 'datasets' && <DatasetsView />}
        {route.view === 'benchmarks' && <BenchmarksView />}
        {route.view === 'workers' && <WorkersView />}
        {route.view === 'settings' && <SettingsView />}
        {route.view === 'sweep' && <SweepView id={route.id} />}
        {route.view === 'analysis' && <AnalysisView sweepId={route.id} />}
        {route.view === 'cell' && <CellView id={route.id} compare={route.compare} />}
      </main>
    </ClientContext.Provider>
  );
}
