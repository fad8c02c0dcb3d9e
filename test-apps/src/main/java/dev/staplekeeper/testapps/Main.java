package dev.staplekeeper.testapps;

/**
 * Entry point of the test-apps jar: {@code java -jar staplekeeper-test-apps-all.jar <app>
 * [options]}.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.err.println("usage: java -jar staplekeeper-test-apps-all.jar <app> [options]");
    System.exit(2);
  }
}
