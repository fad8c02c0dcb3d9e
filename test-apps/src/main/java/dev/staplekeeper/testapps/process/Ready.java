package dev.staplekeeper.testapps.process;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one READY convention of every long-running test-apps command: a single stdout line {@code
 * READY port=N} once the process listens, optionally followed by more {@code key=value} fields (the
 * responder adds {@code ocsp=URL control=M}). {@link ChildJvm} waits for it.
 */
public final class Ready {
  /** A READY line: {@code port} first, then any {@code key=value} fields. */
  static final Pattern LINE = Pattern.compile("^READY port=(\\d+)((?: \\S+=\\S+)*)\\s*$");

  private Ready() {}

  /** Prints {@code READY port=N k=v ...} on {@code out} and flushes. */
  public static void announce(PrintStream out, int port, Map<String, String> fields) {
    StringBuilder sb = new StringBuilder("READY port=").append(port);
    fields.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
    out.println(sb);
    out.flush();
  }

  /** Prints {@code READY port=N} on stdout. */
  public static void announce(int port) {
    announce(System.out, port, Map.of());
  }

  /** The fields of a READY line ({@code port} included), or null if {@code line} is not one. */
  public static Map<String, String> parse(String line) {
    Matcher m = LINE.matcher(line);
    if (!m.matches()) {
      return null;
    }
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("port", m.group(1));
    for (String kv : m.group(2).trim().split(" ")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        fields.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    return fields;
  }
}
