package dev.staplekeeper.agent.staple;

import dev.staplekeeper.agent.ocsp.FetchException;
import dev.staplekeeper.agent.ocsp.InvalidResponseException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Running totals since start, for monitoring: handshakes by outcome and fetches by outcome. Cheap
 * enough for the handshake path ({@link LongAdder}); read without locking, so a reader may see one
 * counter a step ahead of another.
 */
public final class StapleCounters {
  /** Why a fetch produced nothing usable; coarse on purpose, one metric label each. */
  public enum FailureReason {
    /** The responder could not be reached: connection refused, reset, name resolution. */
    CONNECT,
    /** The connection or the exchange did not complete within the deadline. */
    TIMEOUT,
    /** The responder answered with an HTTP status other than 200. */
    HTTP_STATUS,
    /** The OCSP responseStatus was not successful (tryLater, unauthorized, ...). */
    OCSP_STATUS,
    /** A response that failed validation (signature, CertID, time, size, older than held). */
    INVALID_RESPONSE,
    /** Anything else, including internal errors. */
    OTHER;

    /** The reason for what a fetch attempt threw. */
    static FailureReason of(Throwable t) {
      if (t instanceof FetchException) {
        switch (((FetchException) t).kind()) {
          case CONNECT_REFUSED:
          case IO:
            return CONNECT;
          case TIMEOUT:
            return TIMEOUT;
          case HTTP_STATUS:
            return HTTP_STATUS;
          case TOO_LARGE:
            return INVALID_RESPONSE;
          default:
            return OTHER;
        }
      }
      if (t instanceof InvalidResponseException) {
        // ResponseValidator's wording for a non-successful responseStatus
        String m = t.getMessage();
        return m != null && m.startsWith("responder answered responseStatus")
            ? OCSP_STATUS
            : INVALID_RESPONSE;
      }
      return OTHER;
    }
  }

  private final LongAdder handshakesStapled = new LongAdder();
  private final LongAdder handshakesWithoutStaple = new LongAdder();
  private final LongAdder fetchesSucceeded = new LongAdder();
  private final Map<FailureReason, LongAdder> fetchesFailed = new EnumMap<>(FailureReason.class);

  StapleCounters() {
    for (FailureReason r : FailureReason.values()) {
      fetchesFailed.put(r, new LongAdder());
    }
  }

  void handshake(boolean stapled) {
    (stapled ? handshakesStapled : handshakesWithoutStaple).increment();
  }

  void fetchSucceeded() {
    fetchesSucceeded.increment();
  }

  void fetchFailed(FailureReason reason) {
    fetchesFailed.get(reason).increment();
  }

  /** Handshakes of tracked chains that got at least one staple. */
  public long handshakesStapled() {
    return handshakesStapled.sum();
  }

  /** Handshakes that asked for a staple and got none (nothing valid held). */
  public long handshakesWithoutStaple() {
    return handshakesWithoutStaple.sum();
  }

  public long fetchesSucceeded() {
    return fetchesSucceeded.sum();
  }

  public long fetchesFailed(FailureReason reason) {
    return fetchesFailed.get(reason).sum();
  }
}
