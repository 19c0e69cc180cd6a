package dev.vellum.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.client.ApiClient;
import dev.vellum.client.ApiException;
import dev.vellum.client.ApiResponse;
import dev.vellum.client.api.QueriesApi;
import dev.vellum.client.api.RecordsApi;
import dev.vellum.client.model.NewRecord;
import dev.vellum.client.model.Query;
import dev.vellum.client.model.RecordPage;
import dev.vellum.client.model.StoredRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients generated from {@code openapi.json} by openapi-generator (the build's generate-test-sources step), used as a
 * user would use them, untouched: the Java client (java, native library) and the TypeScript one (typescript-fetch,
 * compiled with tsc from npm and run on Node). Each creates a record, reads it with its ETag, queries, patches it with
 * If-Match and gets the 412 of a stale one.
 */
class GeneratedClientsTest {
    @TempDir
    Path dir;

    @Test
    void theJavaClientRoundTrips() throws Exception {
        try (RecordStore store = Vellum.open("memory:");
                Http http = Http.start(store)) {
            ApiClient client = new ApiClient();
            client.updateBaseUri(http.base.toString().replaceAll("/$", ""));
            RecordsApi records = new RecordsApi(client);
            StoredRecord created =
                    records.insertRecord("people", new NewRecord().id("ada").fields(Map.of("name", "Ada", "age", 36)));
            assertThat(created.getVersion()).isEqualTo(1L);

            ApiResponse<StoredRecord> read = records.getRecordWithHttpInfo("people", "ada", null, null);
            String etag = read.getHeaders().get("etag").get(0);
            assertThat(etag).isEqualTo("\"1\"");
            assertThat(read.getData().getFields()).isEqualTo(Map.of("name", "Ada", "age", 36));

            RecordPage page = new QueriesApi(client)
                    .query(
                            "people",
                            new Query()
                                    .filter(Map.of("age", Map.of("$gte", 30)))
                                    .sort(List.of("-age")),
                            null);
            assertThat(page.getRecords()).extracting(StoredRecord::getId).containsExactly("ada");

            StoredRecord patched = records.patchRecord("people", "ada", Map.of("age", 37), etag);
            assertThat(patched.getVersion()).isEqualTo(2L);
            assertThatThrownBy(() -> records.patchRecord("people", "ada", Map.of("age", 38), etag))
                    .isInstanceOf(ApiException.class)
                    .satisfies(e -> {
                        assertThat(((ApiException) e).getCode()).isEqualTo(412);
                        assertThat(((ApiException) e).getResponseBody()).contains("stale-version");
                    });
        }
    }

    @Test
    void theTypeScriptClientRoundTrips() throws Exception {
        assumeTrue(
                works("node", "--version") && works("npm", "--version"),
                "Node.js and npm are not installed; install them with: apt-get install -y nodejs npm");
        Path generated = Path.of("target", "generated-clients", "typescript").toAbsolutePath();
        assertThat(generated.resolve("index.ts")).exists();
        Path project = dir.resolve("client");
        copy(generated, project.resolve("client"));
        Files.writeString(
                project.resolve("package.json"),
                "{\"name\":\"vellum-client-test\",\"private\":true," + "\"type\":\"commonjs\"}");
        Files.writeString(project.resolve("tsconfig.json"), """
                {"compilerOptions": {"target": "ES2022", "module": "commonjs", "lib": ["ES2022", "DOM"],
                  "strict": true, "outDir": "out", "skipLibCheck": true},
                 "include": ["roundtrip.ts", "client/**/*.ts"]}
                """);
        Files.writeString(project.resolve("roundtrip.ts"), """
                import { Configuration, QueriesApi, RecordsApi, ResponseError } from './client';

                declare const process: { argv: string[]; exit(code: number): never };

                async function main(base: string) {
                  const config = new Configuration({ basePath: base });
                  const records = new RecordsApi(config);
                  const created = await records.insertRecord({ c: 'people',
                      newRecord: { id: 'ada', fields: { name: 'Ada', age: 36 } } });
                  if (created.version !== 1) throw new Error('created version ' + created.version);
                  const read = await records.getRecordRaw({ c: 'people', id: 'ada' });
                  const etag = read.raw.headers.get('ETag');
                  if (etag !== '"1"') throw new Error('etag ' + etag);
                  const page = await new QueriesApi(config).query({ c: 'people',
                      query: { filter: { age: { $gte: 30 } }, sort: ['-age'] } });
                  if (page.records.length !== 1 || page.records[0].id !== 'ada') throw new Error('query');
                  const patched = await records.patchRecord({ c: 'people', id: 'ada', body: { age: 37 }, ifMatch: etag });
                  // typed StoredRecord | undefined: a write may answer 204 (Prefer: return=minimal)
                  if (patched?.version !== 2) throw new Error('patched version ' + patched?.version);
                  try {
                    await records.patchRecord({ c: 'people', id: 'ada', body: { age: 38 }, ifMatch: etag });
                    throw new Error('a stale If-Match was accepted');
                  } catch (e) {
                    if (!(e instanceof ResponseError) || e.response.status !== 412) throw e;
                    const problem = await e.response.json();
                    if (!String(problem.type).endsWith('/stale-version')) throw new Error('problem ' + problem.type);
                  }
                  console.log('round trip ok');
                }

                main(process.argv[2]).catch(e => { console.error(e); process.exit(1); });
                """);
        run(project, 300, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "typescript@5.9.3");
        run(project, 120, "node", "node_modules/typescript/bin/tsc", "-p", ".");
        try (RecordStore store = Vellum.open("memory:");
                Http http = Http.start(store)) {
            String output = run(
                    project,
                    60,
                    "node",
                    "out/roundtrip.js",
                    http.base.toString().replaceAll("/$", ""));
            assertThat(output).contains("round trip ok");
        }
    }

    private static String run(Path directory, int seconds, String... command) throws Exception {
        Process process = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(seconds, TimeUnit.SECONDS))
                .as(String.join(" ", command))
                .isTrue();
        assertThat(process.exitValue())
                .as(String.join(" ", command) + ":\n" + output)
                .isZero();
        return output;
    }

    private static boolean works(String... command) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }
}
