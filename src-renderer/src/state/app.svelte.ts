import type { AppInfo, CredentialSummary, ErrorInfo, Place, VaultStatus } from '../../../src-main/ipc/contract';
import { appNavigationSchema } from '../../../src-main/ipc/shared';
import { api, errorInfo } from '../lib/api';
import { fragmentWithPlace, parsePlace, placeFromFragment, samePlace } from '../lib/place';
import type { LeakTarget } from './leak.svelte';
import { RotationState } from './rotation.svelte';

export type View =
  /** `show`: a credential to point at (scrolled to and highlighted), e.g. the one a refused duplicate names. */
  | { name: 'credentials'; show?: string }
  | { name: 'add-credential' }
  | { name: 'import' }
  /** Plain-text keys on this machine; with `credentialId`, every copy of that saved key. */
  | { name: 'plaintext'; credentialId?: string }
  /** `bucket` and `prefix` (a folder, "" for the top): where the browser is. */
  | { name: 'browse'; credentialId: string; bucket?: string; prefix?: string }
  | { name: 'accounts' }
  | { name: 'add-account' }
  | { name: 'keys'; accountId: string }
  /** "Report leaked…" for a credential's or a keys-screen key; `back`: the screen it came from. */
  | { name: 'leak'; target: LeakTarget; back: Exclude<View, { name: 'leak' }> };

/** A sheet over whatever screen is shown: the keyboard shortcuts, or About. */
export type Sheet = 'shortcuts' | 'about';

/**
 * App-wide state: what is saved, whether the keychain works, which screen is shown. Each screen (and each
 * bucket and folder in Browse Buckets) is a history entry, so Back and Forward move inside the app; the
 * place is kept in the URL fragment and in the settings, and shown again after a reload or restart.
 */
export class AppState {
  info = $state<AppInfo>();
  vault = $state<VaultStatus>({ available: true });
  credentials = $state<CredentialSummary[]>([]);
  loadError = $state<ErrorInfo>();
  view = $state<View>({ name: 'credentials' });
  readonly rotation = new RotationState();
  /** Why a place asked for (a link, Back, the last session) could not be shown. */
  notice = $state<string>();
  sheet = $state<Sheet>();
  /** The first load is done and the place to start from is shown. */
  restored = $state(false);
  private movedEarly = false;

  readonly canBrowse = $derived(this.credentials.length > 0);

  /** The newest place not yet handed to main; a save in flight takes it up when it is done. */
  private pendingPlace?: Place;
  private savingPlace = false;
  /**
   * The place the settings hold, or will once the saves under way are done, as far as this page knows. A
   * page that opens at the saved place does not write it back: another window may have saved a newer one.
   */
  private savedPlace?: Place;
  /** Where Browse Buckets was last, so coming back from another screen opens the same bucket and folder. */
  private lastBrowse?: Extract<View, { name: 'browse' }>;

  async load(): Promise<void> {
    try {
      [this.info, this.vault, this.credentials] = await Promise.all([api.app.info(), api.vault.status(), api.credentials.list(), this.rotation.load()]);
      this.loadError = undefined;
    } catch (error) {
      this.loadError = errorInfo(error);
      return;
    }
    if (!this.restored) await this.restore();
  }

  /** Opens where the link points, else where the user was last time; what no longer exists is said, not shown. */
  private async restore(): Promise<void> {
    // Somewhere chosen while this was loading wins over where the link or last session points.
    if (this.movedEarly) return void (this.restored = true);
    const fromLink = placeFromFragment(window.location.hash);
    let place: Place | undefined;
    if (fromLink.kind === 'place') place = fromLink.place;
    else if (fromLink.kind === 'invalid') this.notice = 'The address names a place Keydesk cannot read, so Credentials is shown instead.';
    else this.savedPlace = place = parsePlace(await api.app.place().catch(() => null));
    if (!this.movedEarly) this.show(place, 'replace');
    this.restored = true;
  }

  /** History moved (Back, Forward, an edited address): show the place the entry names. */
  followHistory(): void {
    const found = placeFromFragment(window.location.hash);
    this.notice = found.kind === 'invalid' ? 'The address names a place Keydesk cannot read, so Credentials is shown instead.' : undefined;
    this.show(found.kind === 'place' ? found.place : undefined, 'none');
  }

  private show(place: Place | undefined, history: 'replace' | 'none'): void {
    const view = place ? this.viewOf(place) : { name: 'credentials' as const };
    this.view = view;
    this.record(history);
  }

  /** A place as a screen, when what it names is still there. */
  private viewOf(place: Place): View {
    switch (place.view) {
      case 'browse': {
        const credential = this.credentials.find((c) => c.id === place.credentialId);
        if (!credential) {
          this.notice = place.credentialId
            ? 'The credential this place was in is not saved in Keydesk (any more), so Credentials is shown instead.'
            : 'Browse Buckets needs a saved credential first.';
          return { name: 'credentials' };
        }
        return { name: 'browse', credentialId: credential.id, bucket: place.bucket, prefix: place.bucket ? (place.prefix ?? '') : undefined };
      }
      case 'keys':
        return place.accountId ? { name: 'keys', accountId: place.accountId } : { name: 'accounts' };
      case 'plaintext':
        // A key that is no longer saved: the scan for every key instead.
        return { name: 'plaintext', credentialId: this.credentials.find((c) => c.id === place.credentialId)?.id };
      default:
        return { name: place.view };
    }
  }

  private placeOf(view: View): Place {
    switch (view.name) {
      case 'browse':
        return { view: 'browse', credentialId: view.credentialId, bucket: view.bucket, prefix: view.bucket ? view.prefix || undefined : undefined };
      case 'keys':
        return { view: 'keys', accountId: view.accountId };
      case 'plaintext':
        return { view: 'plaintext', credentialId: view.credentialId };
      case 'leak':
        // Not a place of its own (it acts on a key): a reload shows where it was opened from.
        return this.placeOf(view.back);
      default:
        return { view: view.name };
    }
  }

  /** Makes the current view a history entry (or the current one) and keeps it for the next start. */
  private record(history: 'push' | 'replace' | 'none'): void {
    if (this.view.name === 'browse') this.lastBrowse = this.view;
    const place = parsePlace(this.placeOf(this.view));
    if (!place) return;
    const url = `${window.location.pathname}${window.location.search}${fragmentWithPlace(window.location.hash, place)}`;
    if (history === 'push' && !samePlace(parsePlace(window.history.state?.place), place)) window.history.pushState({ place }, '', url);
    else if (history === 'replace') window.history.replaceState({ place }, '', url);
    if (samePlace(place, this.savedPlace)) return;
    this.savedPlace = this.pendingPlace = place;
    this.savePlace();
  }

  /**
   * Saved at once, one save at a time: quick moves (Back, Back, Forward) end with the last one saved, and a
   * window closed right after a move still keeps it. No timer: a browser may hold a hidden page's timers back.
   */
  private savePlace(): void {
    const place = this.pendingPlace;
    if (this.savingPlace || !place) return;
    this.pendingPlace = undefined;
    this.savingPlace = true;
    void api.app
      .savePlace(place)
      .catch(() => undefined)
      .finally(() => {
        this.savingPlace = false;
        this.savePlace();
      });
  }

  /** Shows a screen as a new history entry; `replace` corrects the current entry instead (a bucket that is gone). */
  go(view: View, history: 'push' | 'replace' = 'push'): void {
    if (!this.restored) this.movedEarly = true;
    if (history === 'push') this.notice = undefined;
    this.view = view;
    this.record(history);
  }

  /** Main's request (tray, application menu), checked like any other input. */
  navigate(target: unknown): void {
    const parsed = appNavigationSchema.safeParse(target);
    if (!parsed.success) return;
    const { data } = parsed;
    if (data.view === 'shortcuts' || data.view === 'about') this.sheet = data.view;
    else if (data.view === 'browse') this.browse(data.credentialId);
    else if (data.view === 'rotate') {
      this.go({ name: 'credentials' });
      this.rotation.rotateRequest = data.credentialId;
    } else if (data.view === 'leak') {
      this.reportLeaked({ credentialId: data.credentialId }, { name: 'credentials' });
    } else if (data.view === 'revocation') {
      this.go({ name: 'credentials' });
      this.rotation.revocationRequest = { id: data.revocationId, action: data.action };
    } else this.go({ name: data.view });
  }

  /** Browse Buckets asked for (menu, shortcut) with nothing to browse with: say what to do first. */
  private browseNeedsCredential(): void {
    this.go({ name: 'credentials' });
    this.notice = 'Browse Buckets needs a saved credential: add one first.';
  }

  private refreshing?: Promise<void>;
  private refreshAgain = false;

  /** Refreshes that arrive while one is running (health events come in bursts) share one more fetch. */
  refreshCredentials(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      try {
        do {
          this.refreshAgain = false;
          this.credentials = await api.credentials.list();
        } while (this.refreshAgain);
        this.leaveRemovedCredential();
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** Browsing with a credential that was just removed (here or in another window): back to the list. */
  private leaveRemovedCredential(): void {
    const view = this.view;
    if (view.name === 'browse' && !this.credentials.some((c) => c.id === view.credentialId)) {
      this.go({ name: 'credentials' }, 'replace');
      this.notice = 'The credential you were browsing with was removed.';
    }
  }

  /** The "Report leaked…" screen for a key; back leads to where it was opened. */
  reportLeaked(target: LeakTarget, back: Exclude<View, { name: 'leak' }>): void {
    this.go({ name: 'leak', target, back });
  }

  /** The Credentials screen with one saved credential pointed out. */
  showCredential(id: string): void {
    this.go({ name: 'credentials', show: id });
  }

  /** "Check now": resolves when the checks are done; the list follows through credentials:health. */
  async checkHealth(ids?: string[]): Promise<void> {
    await api.credentials.checkHealth({ ids });
  }

  /**
   * Browse Buckets with a credential (the one browsed last, else the first). Without a bucket it opens
   * where this credential was browsed last, bucket and folder included.
   */
  browse(credentialId?: string, bucket?: string, prefix = ''): void {
    const last = this.lastBrowse && this.credentials.some((c) => c.id === this.lastBrowse?.credentialId) ? this.lastBrowse : undefined;
    const id = credentialId ?? last?.credentialId ?? this.credentials[0]?.id;
    if (!id) return this.browseNeedsCredential();
    if (!this.credentials.some((c) => c.id === id)) return;
    if (bucket === undefined && last?.credentialId === id) this.go({ ...last });
    else this.go({ name: 'browse', credentialId: id, bucket, prefix: bucket ? prefix : undefined });
  }

  async removeCredential(id: string): Promise<void> {
    await api.credentials.remove({ id });
    await this.refreshCredentials();
  }
}
