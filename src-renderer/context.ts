import { createContext, useContext } from 'react';
import type { PlwClient } from '../src-shared/api';

export const ClientContext = createContext<PlwClient | null>(null);

export function useClient(): PlwClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient outside <ClientContext.Provider>');
  return client;
}
