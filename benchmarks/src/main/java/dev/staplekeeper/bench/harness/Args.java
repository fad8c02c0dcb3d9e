package dev.staplekeeper.bench.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code --name value} options of the driver mains; unknown names are an error. */
public final class Args {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)");
  private final Map<String, String> values = new HashMap<>();

  private Args() {}

  public static Args parse(String[] args, Set<String> known) {
    Args a = new Args();
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (!name.startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value, got " + Arrays.toString(args));
      }
      name = name.substring(2);
      if (!known.contains(name)) {
        throw new IllegalArgumentException("unknown option --" + name + "; known: " + known);
      }
      a.values.put(name, args[++i]);
    }
    return a;
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  public String string(String name, String def) {
    return values.getOrDefault(name, def);
  }

  public Path path(String name, String def) {
    return Path.of(string(name, def)).toAbsolutePath();
  }

  public int integer(String name, int def) {
    return values.containsKey(name) ? Integer.parseInt(values.get(name)) : def;
  }

  public List<String> list(String name, String def) {
    return List.of(string(name, def).split(","));
  }

  public Duration duration(String name, String def) {
    Matcher m = DURATION.matcher(string(name, def));
    if (!m.matches()) {
      throw new IllegalArgumentException("--" + name + " takes a duration like 500ms, 15s, 2m");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      default -> Duration.ofMinutes(n);
    };
  }
}
