import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from './api/client';
import type { Role } from './auth/role';
import type { Session } from './auth/session';
import type { ConsoleConfig } from './config';

export interface ConsoleContext {
  api: Api;
  config: ConsoleConfig;
  session: Session;
  /** The signed-in operator's role (from the token's scopes): what the pages offer. */
  role: Role | undefined;
  now: () => Date;
}

export const Console = createContext<ConsoleContext | undefined>(undefined);

export function useConsole(): ConsoleContext {
  const context = useContext(Console);
  if (context === undefined) throw new Error('useConsole outside <Console.Provider>');
  return context;
}
