package dev.vellum.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumJson;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A page on another origin, in a real headless Chromium, using the API as a front-end developer does: fetch with an
 * API key through CORS (reading ETag, Location and X-Request-Id), and an EventSource on the change feed with a stream
 * token, followed across a restart of the server: every change arrives once, in order, none missing.
 */
class BrowserTest {
    private static final String KEY = "browser-test-key-0123456789abcdef";
    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");

    private static final String PAGE = """
            <!doctype html><html><head><meta charset="utf-8"><title>vellum page</title></head><body><script>
            const params = new URLSearchParams(location.search);
            const api = params.get('api');
            const key = params.get('key');
            window.received = [];
            window.errors = 0;
            async function call(method, path, body, headers = {}) {
              const response = await fetch(api + path, { method, body: body ? JSON.stringify(body) : undefined,
                headers: { 'Authorization': 'Bearer ' + key, ...(body ? { 'Content-Type': 'application/json' } : {}),
                           ...headers } });
              return { status: response.status, etag: response.headers.get('ETag'),
                       location: response.headers.get('Location'), requestId: response.headers.get('X-Request-Id'),
                       body: await response.text() };
            }
            window.start = async function () {
              const enabled = await call('PUT', '/v1/collections/orders/changes');
              const created = await call('POST', '/v1/collections/orders/records', { id: 'o1', fields: { total: 1 } });
              const read = await call('GET', '/v1/collections/orders/records/o1');
              const patched = await call('PATCH', '/v1/collections/orders/records/o1', { $inc: { total: 1 } },
                                         { 'If-Match': read.etag });
              const stale = await call('PATCH', '/v1/collections/orders/records/o1', { $inc: { total: 1 } },
                                       { 'If-Match': read.etag });
              const token = JSON.parse((await call('POST', '/v1/stream-tokens',
                                                   { path: '/v1/collections/orders/changes' })).body).token;
              const source = new EventSource(api + '/v1/collections/orders/changes?after=0&access_token='
                                             + encodeURIComponent(token));
              for (const op of ['insert', 'update', 'delete']) {
                source.addEventListener(op, e => window.received.push(e.lastEventId + ' ' + op + ' '
                                                                    + JSON.parse(e.data).id));
              }
              source.onerror = () => { window.errors++; };
              return JSON.stringify({ enabled, created, read, patched, stale });
            };
            </script></body></html>
            """;

    @Test
    void aPageOnAnotherOriginWritesReadsAndFollowsTheFeedAcrossARestart() throws Exception {
        assumeTrue(
                CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(),
                "Chromium and its driver are not installed; install them with: apt-get install -y chromium "
                        + "chromium-driver");
        HttpServer pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pages.createContext("/", exchange -> {
            byte[] body = PAGE.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        pages.start();
        String origin = "http://127.0.0.1:" + pages.getAddress().getPort();
        Map<String, String> settings = Map.of("VELLUM_API_KEYS", KEY, "VELLUM_HTTP_CORS_ORIGINS", origin);
        WebDriver browser = null;
        try (RecordStore store = Vellum.open("memory:")) {
            Http first = Http.start(store, settings);
            int port = first.server.port();
            try {
                browser = chromium();
                browser.get(origin + "/?api=" + first.base.toString().replaceAll("/$", "") + "&key=" + KEY);
                String answers = (String) ((JavascriptExecutor) browser)
                        .executeAsyncScript("window.start().then(arguments[arguments.length - 1])");
                var json = VellumJson.parse(answers);
                assertThat(json.at("/enabled/status").asInt()).isEqualTo(201);
                assertThat(json.at("/created/status").asInt()).isEqualTo(201);
                assertThat(json.at("/created/location").asText()).isEqualTo("/v1/collections/orders/records/o1");
                assertThat(json.at("/created/requestId").asText()).isNotBlank();
                assertThat(json.at("/read/etag").asText()).isEqualTo("\"1\"");
                assertThat(json.at("/patched/status").asInt()).isEqualTo(200);
                assertThat(json.at("/stale/status").asInt()).isEqualTo(412);

                first.bearer(KEY);
                for (int i = 2; i <= 4; i++) {
                    first.post("/v1/collections/orders/records", "{\"id\":\"o" + i + "\",\"fields\":{}}");
                }
                List<String> before = await(browser, 5);
                assertThat(before)
                        .extracting(BrowserTest::withoutToken)
                        .containsExactly("insert o1", "update o1", "insert o2", "insert o3", "insert o4");
            } finally {
                first.close();
            }
            // while the server is down, writes go on; the page's EventSource keeps trying to reconnect
            store.collection("orders").insert("o5", Map.of(), null);
            store.collection("orders").delete("o2");
            Map<String, String> samePort = new java.util.HashMap<>(settings);
            samePort.put("VELLUM_HTTP_PORT", Integer.toString(port));
            try (Http second = Http.start(store, samePort)) {
                second.bearer(KEY).post("/v1/collections/orders/records", "{\"id\":\"o6\",\"fields\":{}}");
                List<String> all = await(browser, 8);
                assertThat(all)
                        .extracting(BrowserTest::withoutToken)
                        .containsExactly(
                                "insert o1",
                                "update o1",
                                "insert o2",
                                "insert o3",
                                "insert o4",
                                "insert o5",
                                "delete o2",
                                "insert o6");
                List<Long> tokens = all.stream()
                        .map(e -> Long.parseLong(e.substring(0, e.indexOf(' '))))
                        .toList();
                assertThat(tokens).isSorted().doesNotHaveDuplicates();
                assertThat((Long) ((JavascriptExecutor) browser).executeScript("return window.errors"))
                        .isGreaterThan(0); // it did see the server go
            }
        } finally {
            if (browser != null) {
                browser.quit();
            }
            pages.stop(0);
        }
    }

    private static String withoutToken(String event) {
        return event.substring(event.indexOf(' ') + 1);
    }

    /** The page's events once there are {@code count} (and a moment more, to see any duplicate arrive). */
    @SuppressWarnings("unchecked")
    private static List<String> await(WebDriver browser, int count) throws InterruptedException {
        Supplier<List<String>> received = () ->
                new ArrayList<>((List<String>) ((JavascriptExecutor) browser).executeScript("return window.received"));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (received.get().size() < count && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        Thread.sleep(1500);
        return received.get();
    }

    private static WebDriver chromium() throws java.io.IOException {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--user-data-dir=" + Files.createTempDirectory("vellum-chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        return driver;
    }
}
