/**
 * The store contract: what trailguard keeps between runs, whatever keeps it. Two implementations pass
 * the same contract tests (test/store/contract.ts):
 *   - SQLite (src/store/sqlite/): one file, local runs (`scan --notify`, `notify`, `remediate`);
 *   - DynamoDB (src/store/dynamodb/): one table, the Lambda handlers, where instances are concurrent and
 *     short-lived and nothing on local disk survives.
 *
 * Every operation is asynchronous and atomic on its own. There is no open-ended transaction: the
 * operations that must write several things together (a finding with its notification on a channel;
 * a remediation decision with its approval, its notices and its claim) are single calls, and each
 * implementation makes them atomic its own way (an SQLite transaction; a DynamoDB TransactWriteItems
 * guarded by conditions, retried on a conflicting concurrent writer).
 *
 * Ids of outbox rows are strings: SQLite's are its row ids written in decimal ("12"), DynamoDB's are the
 * row's idempotency key. Times are epoch milliseconds unless the name says ISO.
 *
 * Concurrency guarantees every implementation gives (what the Lambda handlers rely on, since EventBridge and
 * SQS deliver at least once and several instances run at a time):
 *   - a finding is attached to at most one notification per channel, however many writers enqueue it at once;
 *   - a dedupe group has at most one open `finding` notification per window, a channel at most one open storm;
 *   - an outbox row is claimed by at most one worker at a time (a claim is a lease: an expired one can be taken over);
 *   - a (CloudTrail event id, remediation action) pair is claimed by at most one runner at a time, and once a
 *     decision that acted (executed, pending approval) holds it, never again;
 *   - an approval is decided once.
 */
import type { Finding } from '../findings/types.js';
import type { DecisionStatus, RemediationDecision, RemediationMode, RemediationPlan } from '../remediate/types.js';

export type StoreKind = 'sqlite' | 'dynamodb';

export interface Store {
  readonly kind: StoreKind;
  /** Where it is, for messages: the SQLite file, or "dynamodb:<table>" (with the region). */
  readonly location: string;
  /** Who this process is in claims and leases: "host:pid" locally, the Lambda log stream + request in AWS. */
  readonly owner: string;
  readonly findings: FindingStore;
  readonly outbox: OutboxStore;
  readonly remediation: RemediationStore;
  /**
   * `trailguard watch`'s checkpoints and recently seen event ids. Optional: only the SQLite store has it. watch runs
   * as one process on one machine (a laptop with nothing deployed); the DynamoDB store serves the deployed Lambda
   * functions, which are fed by EventBridge and never poll, so nothing there would read or write these.
   */
  readonly watch?: WatchStateStore;
  close(): Promise<void>;
}

// --- watch: checkpoints and seen events ------------------------------------------------------------

/** An event a watch source has evaluated: its id (CloudTrail eventID) and its event time (epoch ms). */
export interface SeenEvent {
  id: string;
  time: number;
}

/**
 * Per source (`cloudtrail:<region>`, `logs:<region>:<group>`): the checkpoint — the end of the last window polled
 * completely — and the ids of the events already evaluated whose time is still inside the look-back, so that
 * overlapping windows and restarts evaluate each event once.
 */
export interface WatchStateStore {
  /** The checkpoint (epoch ms), or undefined for a source never polled to the end. */
  checkpoint(source: string): Promise<number | undefined>;
  /** Which of these ids were already evaluated for the source. */
  seen(source: string, ids: readonly string[]): Promise<Set<string>>;
  /** Records events as evaluated (idempotent: an id already there is left as it is). */
  markSeen(source: string, events: readonly SeenEvent[], now: number): Promise<void>;
  /**
   * Moves the checkpoint to `checkpoint` and forgets seen events whose time is before `pruneBefore` (no window will
   * return them again), in one transaction; returns how many were forgotten. A checkpoint never moves back.
   */
  advance(source: string, checkpoint: number, pruneBefore: number, now: number): Promise<number>;
  /** How many seen events the source keeps (status, tests). */
  seenCount(source: string): Promise<number>;
}

// --- findings ------------------------------------------------------------------------------------

export interface StoredFinding {
  finding: Finding;
  firstSeenAt: number;
  lastSeenAt: number;
  timesSeen: number;
}

export interface FindingStore {
  /**
   * Inserts the finding, or records that it was seen again (last seen, times seen); true when it is new.
   * Ids are stable (same rule + same event → same id), so saving the same finding twice never duplicates it.
   */
  save(finding: Finding, now: number): Promise<boolean>;
  get(id: string): Promise<StoredFinding | undefined>;
  count(): Promise<number>;
}

// --- the notification outbox -----------------------------------------------------------------------

export const DELIVERY_STATES = ['pending', 'sending', 'delivered', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export const NOTIFICATION_KINDS = ['finding', 'repeat', 'storm', 'remediation'] as const;
/**
 * finding: the first notification of a dedupe group; repeat: later occurrences within the window; storm: a channel's summary;
 * remediation: one remediation decision (AUTO-MITIGATED, DRY-RUN, APPROVAL NEEDED, REMEDIATION FAILED, SKIPPED).
 */
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * One notification to send on one channel. Life of a row:
 *
 *   pending ──claim──► sending ──► delivered
 *      ▲                  │
 *      └── retry (backoff)┤
 *                         └──► failed (attempts exhausted or permanent error; kept, with the last error)
 */
export interface OutboxRow {
  id: string;
  channel: string;
  kind: NotificationKind;
  /** The dedupe key (finding/repeat), the storm window id (storm) or the finding's incident key (remediation). */
  groupKey: string;
  /** Stable across retries of this notification; unique per channel. */
  idempotencyKey: string;
  state: DeliveryState;
  /** Findings this notification covers. */
  count: number;
  /** Claims so far (each claim is an attempt). */
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: number;
  leaseUntil?: number;
  claimedBy?: string;
  windowStart: number;
  windowEnd: number;
  lastError?: string;
  lastStatus?: number;
  createdAt: number;
  updatedAt: number;
  deliveredAt?: number;
}

/** A row to create. */
export interface NewNotification {
  channel: string;
  kind: Exclude<NotificationKind, 'remediation'>;
  groupKey: string;
  idempotencyKey: string;
  maxAttempts: number;
  nextAttemptAt: number;
  windowStart: number;
  windowEnd: number;
}

/** How many findings (or notifications) of each severity: { critical: 2, high: 40 }. */
export type SeverityCounts = Record<string, number>;

/**
 * What the de-duplication and storm decision for one finding on one channel is made from, read by the
 * store at the moment it enqueues (see EnqueueDecider).
 *
 * Two clocks: de-duplication windows run on `now` (when the finding is enqueued); the storm rate runs on the
 * target's `rateAt` — `now` for live events, the finding's event time when logs are replayed (a scan, a
 * backfill), so that findings of five days replayed in two seconds are not taken for a storm.
 */
export interface ChannelView {
  /** The notification already covering this finding on this channel, if any. */
  covering?: string;
  /** The newest finding/repeat notification of the finding's dedupe group whose window is still open at `now`. */
  latestInGroup?: OutboxRow;
  /** The channel's storm summary that is still pending and whose window holds `rateAt` (windowStart <= rateAt < windowEnd). */
  openStorm?: OutboxRow;
  /** The open storm's findings by severity (with `openStorm`). */
  openStormSeverities?: SeverityCounts;
  /**
   * Finding/repeat notifications on the channel whose storm-clock time (the `rateAt` of the finding that opened
   * each) lies in (rateAt - stormWindowMs, rateAt]. Not guarded against concurrent writers: several at once may
   * pass the storm threshold by a few (one open storm per channel is exact).
   */
  createdSince: number;
  /** The same notifications by the severity of the finding that opened each. */
  createdSinceSeverities: SeverityCounts;
}

export type EnqueueOutcome = 'new' | 'joined' | 'repeat' | 'storm' | 'duplicate';

/**
 * The decision for one finding on one channel: nothing (already covered), join an existing row (which must
 * still be pending — the store re-decides when it no longer is), or create a row and attach the finding.
 */
export type EnqueuePlan =
  | { outcome: 'duplicate'; outboxId: string }
  | { outcome: 'joined' | 'repeat' | 'storm'; attachTo: OutboxRow }
  | { outcome: 'new' | 'repeat' | 'storm'; create: NewNotification };

/** Pure: the same view, finding and time give the same plan (src/notify/dedupe.ts). The store may call it more than once. */
export type EnqueueDecider = (view: ChannelView) => EnqueuePlan;

export interface ChannelTarget {
  channel: string;
  /** Which group and window the view is read for. */
  groupKey: string;
  stormWindowMs: number;
  /**
   * The finding's time on the storm clock (default `now`): the view's `createdSince` and `openStorm` are read
   * for it, and a finding/repeat notification created for it is counted at it.
   */
  rateAt?: number;
  decide: EnqueueDecider;
}

export interface EnqueueResult {
  /** Whether the finding was new to the store. */
  isNew: boolean;
  /** Per target channel, in order. */
  channels: Array<{ channel: string; outcome: EnqueueOutcome; outboxId: string }>;
}

/** A remediation notice to create on one channel: the row plus a snapshot of the decision it reports. */
export interface NewRemediationNotice {
  channel: string;
  groupKey: string;
  idempotencyKey: string;
  maxAttempts: number;
  nextAttemptAt: number;
  decisionId: string;
  status: DecisionStatus;
  actionId: string;
  ruleId?: string;
  findingId?: string;
  /** The decision as it was when enqueued; the notice is rendered from it at send time. */
  decisionJson: string;
}

export interface RemediationNoticeRow {
  outboxId: string;
  channel: string;
  decisionId: string;
  status: DecisionStatus;
  actionId: string;
  ruleId?: string;
  findingId?: string;
  decisionJson: string;
}

export interface NotificationStats {
  total: number;
  bySeverity: SeverityCounts;
  byRule: Record<string, number>;
  /** Per rule, its findings by severity ({ "root-account-usage": { high: 564 } }). */
  byRuleSeverity: Record<string, SeverityCounts>;
  byAccount: Record<string, number>;
  firstEventTime?: string;
  lastEventTime?: string;
}

export interface StateCount {
  channel: string;
  state: DeliveryState;
  count: number;
  oldestCreatedAt: number;
}

export interface ClaimOptions {
  now: number;
  limit: number;
  leaseMs: number;
  owner: string;
  /** Only rows of these kinds (default all). */
  kinds?: readonly NotificationKind[];
}

export interface OutboxStore {
  /**
   * Saves the finding and links it to a notification on every target channel, each by the target's
   * decider over the channel's current view. Idempotent: a finding already covered on a channel is a
   * `duplicate` there — so a caller must enqueue a finding again even when `isNew` says the store had it
   * (a crash between the save and a channel leaves that channel to the retry). Atomic per (finding,
   * channel) at least — SQLite commits the whole call at once —
   * and safe against concurrent writers (see the module comment): when a row the plan joins is no longer
   * pending, or another writer changed the group or storm meanwhile, the store reads the view again and
   * asks the decider again.
   */
  enqueueFinding(finding: Finding, targets: readonly ChannelTarget[], now: number): Promise<EnqueueResult>;

  get(id: string): Promise<OutboxRow | undefined>;

  /**
   * Claims up to `limit` due rows of a channel, oldest due first: pending rows whose time has come and
   * rows whose claim lease expired (their claimant died). Each claim is an attempt. A row is never
   * claimed by two workers at once. Returns the rows as claimed (state sending, attempts counted).
   */
  claimDue(channel: string, options: ClaimOptions): Promise<OutboxRow[]>;
  markDelivered(id: string, now: number, status?: number): Promise<void>;
  markRetry(id: string, options: { nextAttemptAt: number; error: string; status?: number; now: number }): Promise<void>;
  markFailed(id: string, options: { error: string; status?: number; now: number }): Promise<void>;
  /** Gives a claimed row back without counting the attempt (shutdown before sending). */
  release(id: string, now: number, nextAttemptAt?: number): Promise<void>;
  /**
   * Rows left in `sending` by claimants `isDead` says are gone become due now (or failed, when the
   * dead claimant used the last attempt), instead of waiting for their lease. Returns how many.
   */
  recoverAbandoned(isDead: (owner: string) => boolean, now: number): Promise<number>;
  /** Failed rows back to pending with a fresh attempt budget — all of them, of a channel, or (a non-empty `ids`) these; how many. */
  requeueFailed(options: { channel?: string; ids?: readonly string[]; now: number }): Promise<number>;
  /** Pending repeat and storm summaries become due now (a batch run about to exit); how many. */
  flushWindows(now: number): Promise<number>;
  /** When the next pending or sending row (of a channel, of these kinds) becomes claimable, if any is outstanding. */
  nextDueAt(channel?: string, kinds?: readonly NotificationKind[]): Promise<number | undefined>;
  /** Rows pending or sending on these channels (of these kinds). */
  outstanding(channels: readonly string[], kinds?: readonly NotificationKind[]): Promise<number>;
  counts(): Promise<StateCount[]>;
  /** Rows in these states (all when empty) of a channel, oldest first, at most `limit` (default all). */
  list(options?: { states?: readonly DeliveryState[]; channel?: string; limit?: number }): Promise<OutboxRow[]>;

  /** Findings of a notification: the first attached, the most recent, or the most severe (then first attached). */
  findingsOf(outboxId: string, limit: number, order?: 'first' | 'last' | 'worst'): Promise<Finding[]>;
  findingIdsOf(outboxId: string, limit?: number): Promise<string[]>;
  /** Counts of a notification's findings by severity, rule and account (storms can cover thousands). */
  statsOf(outboxId: string): Promise<NotificationStats>;
  /** The decision a remediation notice reports. */
  remediationOf(outboxId: string): Promise<RemediationNoticeRow | undefined>;
  /** Deletes delivered rows delivered before the cut-off (failed and pending rows never); how many. */
  purgeDelivered(before: number): Promise<number>;
}

// --- remediation: log, approvals, claims -------------------------------------------------------------

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'expired'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export interface PendingApproval {
  id: string;
  decisionId: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601. */
  expiresAt: string;
  status: ApprovalStatus;
  actionId: string;
  eventId: string;
  /** What approving does: the plan's effect. */
  summary: string;
  plan: RemediationPlan;
  /** The decision that asked for approval. */
  decision: RemediationDecision;
  decidedBy?: string;
  decidedAt?: string;
  note?: string;
}

export interface DecisionQuery {
  eventId?: string;
  actionId?: string;
  status?: DecisionStatus;
  /** Newest first; default 100. */
  limit?: number;
}

/** What `claim` got. */
export type RemediationClaim =
  | { claimed: true }
  /** Held: by a decision that acted (or, where the claim asked for it, one of the same mode), or by a runner still at work. */
  | { claimed: false; heldBy?: RemediationDecision; inProgress?: { owner: string; since: number } };

export interface ClaimRequest {
  eventId: string;
  actionId: string;
  /** The decision that will be committed under this claim. */
  decisionId: string;
  mode: RemediationMode;
  owner: string;
  now: number;
  /** A claim whose runner died is taken over after this long. */
  leaseMs: number;
  /**
   * A decision whose settled hold this request may take over: approving a held plan takes the pair from the
   * pending-approval decision that holds it; re-running a failed approved plan (`remediate retry`) does too.
   * Without it such a hold refuses the claim like any other.
   */
  takeOver?: string;
}

export interface DecisionCommit {
  decision: RemediationDecision;
  /** The approval this decision asks for (status pending-approval). */
  approval?: Omit<PendingApproval, 'status'>;
  /** Its notices, one per channel; a notice already there (same channel + idempotency key) is left as it is. */
  notices?: readonly NewRemediationNotice[];
  now: number;
}

export interface RemediationStore {
  /**
   * Reserves (eventId, actionId) before a runner plans or acts, so two runners handling the same event (SQS
   * delivers at least once; several Lambda instances run at a time) never both act. Granted (and then held
   * in progress by `request.decisionId` until its commit, or until `leaseMs` passes) when:
   *   - nothing holds the pair, or the event has no id ('' is never de-duplicated);
   *   - the runner holding it in progress let its lease expire (it died);
   *   - the decision holding it failed (a failed remediation can be tried again);
   *   - the decision holding it did not act (dry-run, skipped) and was made in another mode than
   *     `request.mode` (an enforce after a dry-run acts).
   *   - the decision holding it is `request.takeOver` (whatever its status).
   * Refused when a decision that acted (executed, pending-approval) holds it, when a decision of the same
   * mode that did not act holds it (the same preview or skip is not made and notified twice), and while
   * another runner's lease runs.
   */
  claim(request: ClaimRequest): Promise<RemediationClaim>;
  /**
   * Writes a decision to the log together with its approval and its notices — all or nothing — and settles
   * the claim it was made under (the claim in progress for its eventId/actionId whose decisionId is this
   * decision's id): from then on the claim is held by this decision (see `claim`). A decision that acted
   * (executed, pending-approval) holds its pair even when it was made without a claim; any other decision
   * made without one leaves claims alone. A decision id already in the log is left as it is, and its
   * approval too; notices it lacks are still created (the call is idempotent and completes a partial
   * earlier commit). Returns the notices as stored (created: false for ones that were already there).
   */
  commit(entry: DecisionCommit): Promise<{ notices: Array<{ row: OutboxRow; created: boolean }> }>;
  /**
   * Gives back a claim still in progress for `decisionId` (no-op when the claim is settled or held by another
   * decision): the runner's way out when the decision it claimed for could not be committed, so that a retry
   * of the event is not refused as a duplicate of a decision that was never kept. The pair is left as it was
   * before the claim: free, or held again by the decision whose settled hold the claim replaced (a
   * pending-approval decision taken over by an approval whose run could not be recorded holds it again).
   */
  releaseClaim(eventId: string, actionId: string, decisionId: string): Promise<void>;
  /**
   * The latest decision that acted (executed, pending approval) on this event with this action. Read from an
   * index that may lag a write by a moment: `claim` is the race-free check, this one is for messages.
   */
  hasActed(eventId: string, actionId: string): Promise<RemediationDecision | undefined>;
  getDecision(id: string): Promise<RemediationDecision | undefined>;
  listDecisions(query?: DecisionQuery): Promise<RemediationDecision[]>;

  getApproval(id: string): Promise<PendingApproval | undefined>;
  /** Pending approvals, oldest first (expired ones are marked expired first). */
  pendingApprovals(now: Date): Promise<PendingApproval[]>;
  /** Marks every pending approval past its expiry as expired; returns them. */
  expireApprovals(now: Date): Promise<PendingApproval[]>;
  /** pending → approved/rejected, atomically: of two people deciding at once only one gets true. */
  decideApproval(id: string, status: 'approved' | 'rejected', by: string, now: Date, note?: string): Promise<boolean>;
}
