/**
 * The sync's part in `statement.ready` (domain/statements/ready.ts): after a user's pass, the months they are
 * owed are announced, each once (storage/statement-announcements.ts). The newest final month is computed once
 * per run and compared with the month cached on the profile the walk already read, so an ordinary pass costs
 * no read and no write; the writes come once per user and month.
 */
import { outboxEntriesOf } from '../domain/events/catalogue';
import { statementReadyEvent } from '../domain/events/rules';
import { monthRange } from '../domain/statements/month';
import { latestFinalMonth, owedStatementMonths, STATEMENT_READY_TIME_ZONE } from '../domain/statements/ready';
import { StatementAnnouncementStore, statementMarkerKey } from '../storage/statement-announcements';
import { UserStore } from '../storage/users';
import type { SyncRunDeps } from './types';
import type { OnboardedUser } from './user-walk';

export class StatementReadyAnnouncer {
  private readonly latestFinal: string;
  private readonly store: StatementAnnouncementStore;
  private readonly users: UserStore;

  constructor(private readonly deps: Pick<SyncRunDeps, 'db' | 'config' | 'now' | 'logger'>) {
    this.latestFinal = latestFinalMonth(deps.now());
    this.store = new StatementAnnouncementStore(deps.db, deps.config.mainTableName);
    this.users = new UserStore(deps.db, deps.config.mainTableName);
  }

  /**
   * Announces what the user is owed, after their pass. Never throws: a failed write is retried by the next
   * pass (the cache has not moved), and a user's sync does not fail over its announcement.
   */
  async afterUserSynced(user: OnboardedUser): Promise<void> {
    const owed = owedStatementMonths({
      latestFinal: this.latestFinal,
      onboardedAt: user.onboardedAt ?? null,
      announcedMonth: user.statementAnnouncedMonth ?? null,
    });
    try {
      for (const month of owed) {
        if (!(await this.announce(user, month))) return;
      }
    } catch (error) {
      this.deps.logger.warn('could not announce a statement; the next pass tries again', {
        external_user_id: user.externalUserId,
        error_name: error instanceof Error ? error.name : 'Error',
      });
    }
  }

  /** One month: the marker with its event, then the profile's cache. False: the user is being offboarded. */
  private async announce(user: OnboardedUser, month: string): Promise<boolean> {
    const ext = user.externalUserId;
    const range = monthRange(month, STATEMENT_READY_TIME_ZONE);
    const at = new Date(this.deps.now()).toISOString();
    const [entry] = outboxEntriesOf([statementReadyEvent(ext, user.poderoUserId, range, at)]);
    if (!entry) return false;
    const created = await this.store.putMarker(ext, month, entry, this.deps.now());
    // The writer's half of erasure (UserStore.beginOffboarding): a marker put after the offboarding's sweep goes.
    if (
      created &&
      !(await this.users.removeUnlessOnboarded(ext, user.poderoUserId, [statementMarkerKey(ext, month).sk]))
    ) {
      return false;
    }
    await this.store.recordAnnounced(ext, month);
    return true;
  }
}
