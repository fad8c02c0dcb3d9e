package dev.staplekeeper.agent.cli;

import dev.staplekeeper.agent.log.LogText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;

/**
 * The rows of {@code status}: one per certificate, read from the {@code type=Staple} MBeans, as an
 * aligned table or as JSON. The JSON field names (and their order) are a contract for scripts.
 */
final class StatusRows {
  /** JSON field name, MBean attribute, table header; in output order. */
  private static final String[][] FIELDS = {
    {"subject", "Subject", "SUBJECT"},
    {"serial", "Serial", "SERIAL"},
    {"issuerKeyId", "IssuerKeyId", "ISSUER-KEY-ID"},
    {"responder", "Responder", "RESPONDER"},
    {"status", "Status", "STATUS"},
    {"thisUpdate", "ThisUpdate", "THIS-UPDATE"},
    {"nextUpdate", "NextUpdate", "NEXT-UPDATE"},
    {"secondsLeft", "SecondsUntilNextUpdate", "SECONDS-LEFT"},
    {"nextFetch", "NextFetch", "NEXT-FETCH"},
    {"consecutiveFailures", "ConsecutiveFailures", "FAILURES"},
    {"lastError", "LastError", "LAST-ERROR"},
    {"lastFetchMillis", "LastFetchMillis", "LAST-FETCH-MS"},
  };

  private StatusRows() {}

  /** One map per certificate (JSON name to value), sorted by subject and serial. */
  static List<Map<String, Object>> read(MBeanServerConnection mbs, String onlySerial)
      throws Exception {
    String[] attributes = new String[FIELDS.length];
    for (int i = 0; i < FIELDS.length; i++) {
      attributes[i] = FIELDS[i][1];
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (ObjectName name : mbs.queryNames(new ObjectName("dev.staplekeeper:type=Staple,*"), null)) {
      if (onlySerial != null && !onlySerial.equalsIgnoreCase(name.getKeyProperty("serial"))) {
        continue;
      }
      Map<String, Object> byAttribute = new LinkedHashMap<>();
      AttributeList values = mbs.getAttributes(name, attributes);
      for (Attribute a : values.asList()) {
        byAttribute.put(a.getName(), a.getValue());
      }
      Map<String, Object> row = new LinkedHashMap<>();
      for (String[] f : FIELDS) {
        Object v = byAttribute.get(f[1]);
        if ("lastFetchMillis".equals(f[0]) && v instanceof Long && (Long) v < 0) {
          v = null;
        }
        row.put(f[0], v);
      }
      rows.add(row);
    }
    rows.sort(
        (a, b) -> {
          int c = String.valueOf(a.get("subject")).compareTo(String.valueOf(b.get("subject")));
          return c != 0
              ? c
              : String.valueOf(a.get("serial")).compareTo(String.valueOf(b.get("serial")));
        });
    return rows;
  }

  static String json(List<Map<String, Object>> rows) {
    StringBuilder sb = new StringBuilder("[");
    for (int r = 0; r < rows.size(); r++) {
      sb.append(r == 0 ? "\n  {" : ",\n  {");
      int i = 0;
      for (Map.Entry<String, Object> e : rows.get(r).entrySet()) {
        sb.append(i++ == 0 ? "" : ", ");
        string(sb, e.getKey());
        sb.append(": ");
        Object v = e.getValue();
        if (v == null) {
          sb.append("null");
        } else if (v instanceof Number) {
          sb.append(v);
        } else {
          string(sb, v.toString());
        }
      }
      sb.append('}');
    }
    return sb.append(rows.isEmpty() ? "]" : "\n]").toString();
  }

  private static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    sb.append('"');
  }

  static String table(List<Map<String, Object>> rows) {
    int[] width = new int[FIELDS.length];
    List<String[]> cells = new ArrayList<>();
    String[] header = new String[FIELDS.length];
    for (int i = 0; i < FIELDS.length; i++) {
      header[i] = FIELDS[i][2];
    }
    cells.add(header);
    for (Map<String, Object> row : rows) {
      String[] line = new String[FIELDS.length];
      int i = 0;
      for (Object v : row.values()) {
        // values come from the target JVM, some from its responder: escaped, capped, redacted
        line[i++] = v == null ? "-" : LogText.value(v);
      }
      cells.add(line);
    }
    for (String[] line : cells) {
      for (int i = 0; i < line.length; i++) {
        width[i] = Math.max(width[i], line[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] line : cells) {
      for (int i = 0; i < line.length; i++) {
        sb.append(i == line.length - 1 ? line[i] : pad(line[i], width[i] + 2));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static String pad(String s, int width) {
    StringBuilder sb = new StringBuilder(s);
    while (sb.length() < width) {
      sb.append(' ');
    }
    return sb.toString();
  }
}
