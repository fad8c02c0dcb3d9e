package dev.staplekeeper.bench.harness;

import java.util.Arrays;
import java.util.List;

/** Percentiles and medians (nearest rank). */
public final class Stats {
  private Stats() {}

  /** The {@code p}-th percentile (0..100) of {@code sorted}, nearest rank; NaN when empty. */
  public static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }

  public static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  public static long[] sorted(long[] values) {
    long[] s = values.clone();
    Arrays.sort(s);
    return s;
  }

  public static String ms(double nanos) {
    if (Double.isNaN(nanos)) {
      return "–";
    }
    double ms = nanos / 1e6;
    return ms >= 100 ? String.format("%.0f", ms) : String.format("%.1f", ms);
  }
}
