package dev.staplekeeper.testapps.cli;

import dev.staplekeeper.testapps.time.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parsed {@code --name value} / {@code --name=value} / {@code --flag} options and positional
 * arguments of one command. Unknown options, missing values and bad values are {@link
 * UsageException}s naming the option.
 */
public final class Options {
  private final String command;
  private final Map<String, String> values = new HashMap<>();
  private final List<String> positional = new ArrayList<>();

  private Options(String command) {
    this.command = command;
  }

  /**
   * @param valued options that take a value (without the leading dashes)
   * @param flags options without a value
   */
  public static Options parse(
      String command, String[] args, Set<String> valued, Set<String> flags) {
    Options o = new Options(command);
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--") || a.equals("--")) {
        o.positional.add(a);
        continue;
      }
      String name = a.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (flags.contains(name)) {
        if (value != null) {
          throw new UsageException("option --" + name + " takes no value");
        }
        o.values.put(name, "true");
      } else if (valued.contains(name)) {
        if (value == null) {
          if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
            throw new UsageException("option --" + name + " needs a value");
          }
          value = args[++i];
        }
        o.values.put(name, value);
      } else {
        throw new UsageException("unknown option --" + name + " for '" + command + "'");
      }
    }
    return o;
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  public boolean flag(String name) {
    return values.containsKey(name);
  }

  public String string(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  public String required(String name) {
    String v = values.get(name);
    if (v == null) {
      throw new UsageException("missing option --" + name);
    }
    return v;
  }

  public Path path(String name) {
    return Path.of(required(name));
  }

  public int port(String name, int fallback) {
    if (!has(name)) {
      return fallback;
    }
    int p = integer(name, fallback);
    if (p < 0 || p > 65535) {
      throw new UsageException("--" + name + " must be a port 0..65535, not " + p);
    }
    return p;
  }

  public int integer(String name, int fallback) {
    String v = values.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be an integer, not '" + v + "'");
    }
  }

  public Duration duration(String name, Duration fallback) {
    String v = values.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Durations.parse(v);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--" + name + ": " + e.getMessage());
    }
  }

  public List<String> positional() {
    return List.copyOf(positional);
  }

  public String command() {
    return command;
  }
}
