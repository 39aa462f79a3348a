import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from './api/client';
import type { Session } from './auth/session';
import type { ConsoleConfig } from './config';

export interface ConsoleContext {
  api: Api;
  config: ConsoleConfig;
  session: Session;
  now: () => Date;
}

export const Console = createContext<ConsoleContext | undefined>(undefined);

export function useConsole(): ConsoleContext {
  const context = useContext(Console);
  if (context === undefined) throw new Error('useConsole outside <Console.Provider>');
  return context;
}
