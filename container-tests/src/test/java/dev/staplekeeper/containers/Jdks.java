package dev.staplekeeper.containers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The JDKs the servers run on, from the {@code staplekeeper.it.jdks} list of the root pom. */
final class Jdks {
  private static final Pattern VERSION = Pattern.compile("JAVA_VERSION=\"(\\d+)");

  private Jdks() {}

  /** The JDK home of the given feature release, e.g. 17 or 25. */
  static Path jdk(int feature) {
    String list = System.getProperty("staplekeeper.it.jdks", "");
    return Arrays.stream(list.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .map(Path::of)
        .filter(home -> Files.isExecutable(home.resolve("bin/java")))
        .filter(home -> feature(home) == feature)
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "no JDK " + feature + " in staplekeeper.it.jdks=" + list));
  }

  /** The feature release a JDK home declares in its {@code release} file. */
  static int feature(Path home) {
    try {
      Matcher m = VERSION.matcher(Files.readString(home.resolve("release")));
      return m.find() ? Integer.parseInt(m.group(1)) : -1;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + home.resolve("release"), e);
    }
  }
}
