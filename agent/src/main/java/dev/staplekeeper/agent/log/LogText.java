package dev.staplekeeper.agent.log;

import java.util.Collection;
import java.util.Iterator;
import java.util.regex.Pattern;

/**
 * How a value from outside (responder names and URLs, HTTP status lines and headers, file names,
 * settings) is shown in a log line or the JMX view, so that it can neither forge a line, flood the
 * log nor leak a secret.
 *
 * <p>Contract of {@link #value}:
 *
 * <ul>
 *   <li>URL userinfo is redacted: {@code http://user:pass@host/} becomes {@code http://***@host/},
 *       wherever a {@code scheme://userinfo@} appears in the text.
 *   <li>Control characters are made visible: CR, LF and TAB as {@code \r}, {@code \n}, {@code \t},
 *       every other C0 or C1 control (ESC included), DEL, Unicode format characters (bidi
 *       overrides), U+2028, U+2029 and unpaired surrogates as {@code \}{@code uXXXX}. The result
 *       never holds a line break.
 *   <li>The result is at most {@code cap} characters; a longer value is cut (never inside a
 *       surrogate pair) and ends with {@code ...(N more)}, N counting the characters not shown.
 * </ul>
 *
 * A literal backslash is left as it is. The marker is plain ASCII because logs are often written in
 * the platform's encoding, where an ellipsis character would print as {@code ?}.
 */
public final class LogText {
  /** The most characters one value takes in a log line. */
  public static final int VALUE_CAP = 1000;

  /** The most characters one log message takes, all values included. */
  public static final int LINE_CAP = 2000;

  private static final Pattern USERINFO =
      Pattern.compile("(?i)\\b([a-z][a-z0-9+.\\-]*://)[^/?# ]*@");

  private LogText() {}

  /** {@code o} as text, redacted, escaped and capped at {@link #VALUE_CAP}. */
  public static String value(Object o) {
    return value(o, VALUE_CAP);
  }

  /** {@code o} as text, redacted, escaped and capped at {@code cap} characters. */
  public static String value(Object o, int cap) {
    String text;
    try {
      text = String.valueOf(o);
    } catch (RuntimeException e) { // a toString() that fails must not cost the log line
      text = "<" + o.getClass().getName() + ".toString() failed: " + e.getClass().getName() + ">";
    }
    return escape(redact(text), cap);
  }

  /** {@code text} with the userinfo of every {@code scheme://userinfo@} replaced by {@code ***}. */
  public static String redact(String text) {
    if (text.indexOf('@') < 0 || text.indexOf("://") < 0) {
      return text;
    }
    return USERINFO.matcher(text).replaceAll("$1***@");
  }

  /**
   * {@code text} with control characters made visible, cut to at most {@code cap} characters
   * (marker included) when longer. {@code text} is assumed to be redacted already.
   */
  public static String escape(String text, int cap) {
    int n = text.length();
    boolean fits = escapedLength(text, cap + 1) <= cap;
    // room for the widest marker this value can need; an escape is never split
    int budget = fits ? cap : cap - more(n).length();
    StringBuilder out = new StringBuilder(Math.min(n, cap) + 8);
    int i = 0;
    while (i < n) {
      int cp = text.codePointAt(i);
      int width = Character.charCount(cp);
      String piece = needsEscape(cp) ? escape(text, i, width) : null;
      int pieceLength = piece == null ? width : piece.length();
      if (out.length() + pieceLength > budget) {
        break;
      }
      if (piece == null) {
        out.append(text, i, i + width);
      } else {
        out.append(piece);
      }
      i += width;
    }
    if (i < n) {
      out.append(more(n - i));
    }
    return out.toString();
  }

  /** The length {@link #escape} would give without a cap, counted up to {@code limit}. */
  private static int escapedLength(String text, int limit) {
    int length = 0;
    for (int i = 0; i < text.length() && length < limit; ) {
      int cp = text.codePointAt(i);
      int width = Character.charCount(cp);
      length += needsEscape(cp) ? escape(text, i, width).length() : width;
      i += width;
    }
    return length;
  }

  /**
   * At most {@code max} items of {@code items}, as {@code [a, b, c, ...(N more)]}, each one a
   * {@link #value}.
   */
  public static String list(Collection<?> items, int max) {
    StringBuilder sb = new StringBuilder("[");
    Iterator<?> it = items.iterator();
    int shown = 0;
    while (it.hasNext() && shown < max) {
      if (shown > 0) {
        sb.append(", ");
      }
      sb.append(value(it.next()));
      shown++;
    }
    if (items.size() > shown) {
      sb.append(shown > 0 ? ", " : "").append(more(items.size() - shown));
    }
    return sb.append(']').toString();
  }

  /** The marker that says {@code n} more characters or items were left out. */
  public static String more(long n) {
    return "...(" + n + " more)";
  }

  private static boolean needsEscape(int cp) {
    switch (Character.getType(cp)) {
      case Character.CONTROL:
      case Character.FORMAT:
      case Character.LINE_SEPARATOR:
      case Character.PARAGRAPH_SEPARATOR:
      case Character.SURROGATE:
        return true;
      default:
        return false;
    }
  }

  private static String escape(String text, int i, int width) {
    char c = text.charAt(i);
    if (width == 2) {
      return unicode(c) + unicode(text.charAt(i + 1));
    }
    switch (c) {
      case '\n':
        return "\\n";
      case '\r':
        return "\\r";
      case '\t':
        return "\\t";
      default:
        return unicode(c);
    }
  }

  private static String unicode(char c) {
    return String.format("\\u%04x", (int) c);
  }
}
