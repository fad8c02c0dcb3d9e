package dev.staplekeeper.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** What a result line needs next to it: date, cores, JDK, load. */
public final class Machine {
  private Machine() {}

  /** The first three fields of /proc/loadavg, e.g. "1.52 1.31 0.98". */
  public static String load() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "n/a";
    }
  }

  /** JAVA_VERSION and IMPLEMENTOR of a JDK home's {@code release} file. */
  public static String jdk(Path home) {
    try {
      String version = "?";
      String vendor = "";
      for (String l : Files.readAllLines(home.resolve("release"))) {
        if (l.startsWith("JAVA_RUNTIME_VERSION=")) {
          version = l.substring(l.indexOf('=') + 1).replace("\"", "");
        } else if (l.startsWith("JAVA_VERSION=") && version.equals("?")) {
          version = l.substring(l.indexOf('=') + 1).replace("\"", "");
        } else if (l.startsWith("IMPLEMENTOR=")) {
          vendor = l.substring(l.indexOf('=') + 1).replace("\"", "");
        }
      }
      return version + (vendor.isEmpty() ? "" : " (" + vendor + ")");
    } catch (IOException e) {
      return home.toString();
    }
  }

  public static String header(Path serverJdk) {
    return "date "
        + ZonedDateTime.now()
            .truncatedTo(ChronoUnit.SECONDS)
            .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)
        + ", nproc "
        + Runtime.getRuntime().availableProcessors()
        + ", server JDK "
        + jdk(serverJdk)
        + ", driver JDK "
        + System.getProperty("java.runtime.version")
        + ", load "
        + load();
  }
}
