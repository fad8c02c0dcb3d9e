package dev.staplekeeper.agent.instrumentation;

/**
 * One call that {@link EntryCallPatcher} adds at the entry of one method: which method (by exact
 * name and descriptor, never static), which static method of the bridge it calls with which of the
 * method's arguments, and what it does with the answer ({@link Kind}).
 */
final class EntryCall {
  /** What the added code does with the bridge method's answer. */
  enum Kind {
    /** A void bridge method; the method's own code always runs after it. */
    CALL,
    /**
     * The bridge method returns a reference: the method returns it at once (cast to the method's
     * return type) when it is not null; null runs the method's own code.
     */
    RETURN_IF_NOT_NULL,
    /**
     * The bridge method returns a boolean: true makes the method return true at once; false runs
     * the method's own code.
     */
    RETURN_TRUE_IF_TRUE
  }

  final String method;
  final String descriptor;
  final String bridgeMethod;
  final String bridgeDescriptor;
  final Kind kind;
  final String loads;

  /**
   * {@code loads}: the method's local slots passed to the bridge method, in order, each as {@code
   * A} (a reference) or {@code I} (an int or boolean) followed by the slot, for example {@code "A1
   * A3"}; empty for none.
   */
  EntryCall(
      String method,
      String descriptor,
      String bridgeMethod,
      String bridgeDescriptor,
      Kind kind,
      String loads) {
    this.method = method;
    this.descriptor = descriptor;
    this.bridgeMethod = bridgeMethod;
    this.bridgeDescriptor = bridgeDescriptor;
    this.kind = kind;
    this.loads = loads;
  }

  @Override
  public String toString() {
    return method + descriptor + " -> " + bridgeMethod + bridgeDescriptor + " (" + kind + ")";
  }
}
