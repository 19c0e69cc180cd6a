package dev.vellum.spring;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spring Boot's dependency management picks its own versions of Flyway, sqlite-jdbc, HikariCP, pgjdbc and Jackson 2,
 * older than the ones Vellum is tested with, and does it silently. At start the starter compares the versions on
 * the class path with its tested ones and says, in one warning, which differ and the properties that set them back.
 */
final class TestedVersions {
    private static final Logger LOG = LoggerFactory.getLogger(TestedVersions.class);

    private TestedVersions() {}

    /** Warns once about every library whose version differs from the tested one. */
    static void check() {
        List<String> differ = differences();
        if (!differ.isEmpty()) {
            LOG.warn(
                    "Vellum is tested with other versions of libraries this application has: {}. Spring Boot's "
                            + "dependency management chose them; in an application on spring-boot-starter-parent set the "
                            + "properties back (<properties>{}</properties>), or import dev.vellum:vellum-bom before Boot's BOM",
                    String.join(", ", differ),
                    differ.stream()
                            .map(d -> d.substring(d.indexOf('<'), d.indexOf(')')))
                            .reduce("", String::concat));
        }
    }

    /** Each difference as {@code name found (tested: <property>version</property>)}. */
    static List<String> differences() {
        Properties tested = read("tested-versions.properties", TestedVersions.class);
        List<String> differ = new ArrayList<>();
        compare(differ, tested, "flyway.version", "Flyway", maven("org.flywaydb", "flyway-core"));
        compare(differ, tested, "sqlite-jdbc.version", "sqlite-jdbc", maven("org.xerial", "sqlite-jdbc"));
        compare(differ, tested, "hikaricp.version", "HikariCP", maven("com.zaxxer", "HikariCP"));
        compare(
                differ,
                tested,
                "postgresql.version",
                "pgjdbc",
                constant("org.postgresql.util.DriverInfo", "DRIVER_VERSION"));
        compare(
                differ,
                tested,
                "jackson-2-bom.version",
                "Jackson 2",
                maven("com.fasterxml.jackson.core", "jackson-databind"));
        return differ;
    }

    private static void compare(List<String> differ, Properties tested, String property, String name, String found) {
        String expected = tested.getProperty(property);
        if (found != null && expected != null && !found.equals(expected)) {
            differ.add(name + " " + found + " (tested: <" + property + ">" + expected + "</" + property + ">)");
        }
    }

    private static String maven(String group, String artifact) {
        return read("/META-INF/maven/" + group + "/" + artifact + "/pom.properties", TestedVersions.class)
                .getProperty("version");
    }

    /** A version constant read at run time (the compiler would inline the one it compiled against). */
    private static String constant(String className, String field) {
        try {
            return String.valueOf(Class.forName(className).getField(field).get(null));
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    private static Properties read(String resource, Class<?> near) {
        Properties properties = new Properties();
        try (InputStream in = near.getResourceAsStream(resource)) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // an unreadable resource: nothing to compare
        }
        return properties;
    }
}
