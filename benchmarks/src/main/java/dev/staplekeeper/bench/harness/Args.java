package dev.staplekeeper.bench.harness;

import dev.staplekeeper.testapps.time.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options of the driver mains; unknown names are an error. */
public final class Args {
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

  /** A {@link Durations} value ({@code 500ms}, {@code 15s}, {@code 2m}, ...). */
  public Duration duration(String name, String def) {
    try {
      return Durations.parse(string(name, def));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--" + name + ": " + e.getMessage(), e);
    }
  }
}
