package dev.staplekeeper.testapps.demo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * Reads back the series of a timeline picture that {@link TimelineSvg} wrote, with the JDK's own
 * XML parser (namespace-aware, no DTDs, no external entities): what the tests check the picture
 * with. A file that is not well-formed XML, or whose root is not an SVG {@code <svg>} element, is
 * an {@link IOException}.
 */
public final class TimelinePicture {
  /**
   * One server's row.
   *
   * @param states per second: {@code valid}, {@code none}, {@code bad}, {@code failed} or {@code
   *     waiting} (see {@link TimelineSvg})
   * @param latencySeconds the second of each latency bar
   * @param latencyMillis the handshake time of each latency bar
   */
  public record Row(
      String label, List<String> states, List<Integer> latencySeconds, List<Long> latencyMillis) {}

  /**
   * The picture's content.
   *
   * @param phases the shaded phases' responder modes, in order
   */
  public record Content(List<String> phases, List<Row> rows) {}

  private TimelinePicture() {}

  public static Content read(Path file) throws IOException {
    Document doc;
    try (InputStream in = Files.newInputStream(file)) {
      doc = parser().parse(in);
    } catch (SAXException e) {
      throw new IOException(file + " is not well-formed XML: " + e.getMessage(), e);
    }
    Element root = doc.getDocumentElement();
    if (!TimelineSvg.NS.equals(root.getNamespaceURI()) || !"svg".equals(root.getLocalName())) {
      throw new IOException(file + " is not SVG: root element " + root.getTagName());
    }
    List<String> phases = new ArrayList<>();
    List<Row> rows = new ArrayList<>();
    NodeList groups = root.getElementsByTagNameNS(TimelineSvg.NS, "*");
    for (int i = 0; i < groups.getLength(); i++) {
      Element e = (Element) groups.item(i);
      if ("rect".equals(e.getLocalName()) && "phase".equals(e.getAttribute("class"))) {
        phases.add(e.getAttribute("data-mode"));
      }
      if ("g".equals(e.getLocalName()) && "server".equals(e.getAttribute("class"))) {
        rows.add(row(e));
      }
    }
    return new Content(phases, rows);
  }

  private static Row row(Element server) {
    List<String> states = new ArrayList<>();
    List<Integer> seconds = new ArrayList<>();
    List<Long> millis = new ArrayList<>();
    NodeList children = server.getElementsByTagNameNS(TimelineSvg.NS, "g");
    for (int i = 0; i < children.getLength(); i++) {
      Element series = (Element) children.item(i);
      NodeList rects = series.getElementsByTagNameNS(TimelineSvg.NS, "rect");
      for (int j = 0; j < rects.getLength(); j++) {
        Element r = (Element) rects.item(j);
        switch (series.getAttribute("class")) {
          case "staple-series" -> states.add(r.getAttribute("class"));
          case "latency-series" -> {
            seconds.add(Integer.parseInt(r.getAttribute("data-second")));
            millis.add(Long.parseLong(r.getAttribute("data-ms")));
          }
          default -> {}
        }
      }
    }
    return new Row(server.getAttribute("data-label"), states, seconds, millis);
  }

  private static DocumentBuilder parser() throws IOException {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setExpandEntityReferences(false);
      return f.newDocumentBuilder();
    } catch (ParserConfigurationException e) {
      throw new IOException(e);
    }
  }
}
