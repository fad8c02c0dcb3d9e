package dev.staplekeeper.springapp;

import java.io.IOException;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.embedded.jetty.JettyServletWebServerFactory;
import org.springframework.boot.web.embedded.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.embedded.undertow.UndertowServletWebServerFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A plain Spring Boot web app: one page, TLS from Spring Boot's own {@code server.ssl.*} or SSL
 * bundle properties, no OCSP code.
 *
 * <p>The jar holds every embedded server Spring Boot supports, so one build serves all the
 * container tests. Spring Boot picks Tomcat on its own; {@code app.server=jetty}, {@code
 * app.server=undertow} or {@code app.server=netty} declares that server's factory instead (Spring
 * Boot's Tomcat configuration then backs off, and its {@code server.*} customizers configure the
 * declared one). {@code netty} also needs {@code spring.main.web-application-type=reactive}: the
 * same controller then runs on WebFlux and Reactor Netty, whose SSL provider is the JDK's (the jar
 * has no netty-tcnative).
 *
 * <p>{@code app.exit-on-stdin-eof=true} stops the app when its standard input ends, like the
 * test-apps servers' {@code --exit-on-stdin-eof}: a parent (the outage demo) that dies in any way
 * leaves no server behind.
 */
@SpringBootApplication
public class SpringApp {
  public static void main(String[] args) {
    SpringApplication.run(SpringApp.class, args);
  }

  /** The page; a Spring MVC and a WebFlux handler alike. */
  @RestController
  static class Page {
    @GetMapping("/")
    String page() {
      return "StapleKeeper Spring Boot test app\n";
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(name = "app.server", havingValue = "jetty")
  static class Jetty {
    @Bean
    JettyServletWebServerFactory jettyFactory() {
      return new JettyServletWebServerFactory();
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(name = "app.server", havingValue = "undertow")
  static class Undertow {
    @Bean
    UndertowServletWebServerFactory undertowFactory() {
      return new UndertowServletWebServerFactory();
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(name = "app.server", havingValue = "netty")
  static class ReactorNetty {
    @Bean
    NettyReactiveWebServerFactory nettyFactory() {
      return new NettyReactiveWebServerFactory();
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(name = "app.exit-on-stdin-eof", havingValue = "true")
  static class ExitOnStdinEof {
    @Bean
    ApplicationRunner exitOnStdinEof(ConfigurableApplicationContext context) {
      return (ApplicationArguments args) -> {
        Thread watch =
            new Thread(
                () -> {
                  try {
                    while (System.in.read() >= 0) {
                      // nothing is sent; only the end of the stream matters
                    }
                  } catch (IOException e) {
                    // the pipe broke: the parent is gone
                  }
                  System.exit(SpringApplication.exit(context));
                },
                "exit-on-stdin-eof");
        watch.setDaemon(true);
        watch.start();
      };
    }
  }
}
