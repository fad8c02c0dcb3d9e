package dev.staplekeeper.agent.staple;

import dev.staplekeeper.agent.ocsp.ValidatedResponse;

/**
 * Never roll back a revocation, never go back in time: decides whether a validated response may
 * replace what StapleKeeper knows of a certificate, judged against the certificate's {@link
 * HighWaterMark} (not against the held response, which may have expired or been dropped).
 *
 * <p>Contract, for a validated response {@code r} and the certificate's mark {@code m}:
 *
 * <ul>
 *   <li>No mark yet, or {@code r.thisUpdate} strictly after {@code m.thisUpdate}: {@link
 *       Verdict#NEWER}, accepted, the mark rises to {@code r}'s. This is the only way from revoked
 *       back to good (the caller logs it at ERROR with both times).
 *   <li>The same thisUpdate and the same status: {@link Verdict#SAME}, accepted; nothing changes
 *       (responders often serve one pre-signed response many times).
 *   <li>The same thisUpdate, {@code r} revoked and {@code m} good: {@link Verdict#NEWER}: the CA
 *       signed both, the revocation wins.
 *   <li>The same thisUpdate, {@code r} good and {@code m} revoked, or {@code r.thisUpdate} before
 *       {@code m.thisUpdate} while {@code m} is revoked: {@link Verdict#ROLLBACK}, refused (the
 *       caller logs it at ERROR with both times).
 *   <li>{@code r.thisUpdate} before a good mark: {@link Verdict#OLDER}, refused.
 * </ul>
 *
 * The same rule judges fetched responses ({@code FetchCycle}) and stored ones after a restart
 * ({@code StapleService.loadStored}).
 */
final class RevocationGuard {
  enum Verdict {
    NEWER(true),
    SAME(true),
    OLDER(false),
    ROLLBACK(false);

    final boolean accepted;

    Verdict(boolean accepted) {
      this.accepted = accepted;
    }
  }

  private RevocationGuard() {}

  static Verdict judge(HighWaterMark mark, ValidatedResponse r) {
    if (mark == null) {
      return Verdict.NEWER;
    }
    boolean good = r.status() == ValidatedResponse.Status.GOOD;
    int c = r.thisUpdate().compareTo(mark.thisUpdate());
    if (c > 0) {
      return Verdict.NEWER;
    }
    if (c == 0) {
      if (good != mark.revoked()) {
        return Verdict.SAME;
      }
      return good ? Verdict.ROLLBACK : Verdict.NEWER;
    }
    return good && mark.revoked() ? Verdict.ROLLBACK : Verdict.OLDER;
  }

  /** True when accepting {@code r} over {@code mark} takes a revoked certificate back to good. */
  static boolean unrevokes(HighWaterMark mark, ValidatedResponse r) {
    return mark != null && mark.revoked() && r.status() == ValidatedResponse.Status.GOOD;
  }

  /** Why {@code r} was refused, with both times, for a log line. */
  static String refusal(Verdict v, HighWaterMark mark, ValidatedResponse r) {
    if (v == Verdict.ROLLBACK) {
      return "a GOOD response (thisUpdate "
          + r.thisUpdate()
          + ") not newer than the REVOKED one already accepted (thisUpdate "
          + mark.thisUpdate()
          + (mark.revocationTime() != null ? ", revoked at " + mark.revocationTime() : "")
          + ") was refused: a revocation is never rolled back by a replayed or stale response";
    }
    return "a response older than the newest one already accepted (thisUpdate "
        + r.thisUpdate()
        + " < "
        + mark.thisUpdate()
        + ") was refused";
  }
}
