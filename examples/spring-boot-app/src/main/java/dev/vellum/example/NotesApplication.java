package dev.vellum.example;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Notes over HTTP on Vellum: {@code mvn -pl examples/spring-boot-app spring-boot:run}, or run this class. */
@SpringBootApplication
public class NotesApplication {
    public static void main(String[] args) {
        SpringApplication.run(NotesApplication.class, args);
    }
}
