package dev.vellum.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of CONTRIBUTING.md ("Packages"), over every main class of core, both backends, the server and
 * this CLI.
 */
class ArchitectureTest {
    private static JavaClasses vellum;

    @BeforeAll
    static void importClasses() {
        vellum = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.vellum");
    }

    @Test
    void serverAndCommandLineUseTheApiNotTheEngine() {
        check(noClasses()
                .that()
                .resideInAnyPackage("dev.vellum.server..", "dev.vellum.cli..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.vellum.internal..")
                .because("the server and the command line are clients of the public API"));
    }

    @Test
    void operationsUseTheApiAndTheSpi() {
        check(noClasses()
                .that()
                .resideInAPackage("dev.vellum.ops..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.vellum.internal..", "dev.vellum.sqlite..", "dev.vellum.postgres..")
                .because("operations are clients of the API and the SPI"));
    }

    @Test
    void theSpiDependsOnTheApiAndItselfOnly() {
        check(noClasses()
                .that()
                .resideInAPackage("dev.vellum.spi..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.vellum.internal..", "dev.vellum.ops..")
                .because("what a backend implements must not expose what may change"));
    }

    @Test
    void theApiPackageHoldsTheApiOnly() {
        check(classes()
                .that()
                .resideInAPackage("dev.vellum")
                .and()
                .areTopLevelClasses()
                .and()
                .doNotHaveSimpleName("package-info")
                .should()
                .haveModifier(JavaModifier.PUBLIC)
                .because("engine classes belong in engine packages, not beside the user API"));
    }

    @Test
    void onlyTheApiReachesTheEngine() {
        check(noClasses()
                .that()
                .resideOutsideOfPackages("dev.vellum", "dev.vellum.engine..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.vellum.engine..")
                .because("the engine has no compatibility promise: backends, operations, the server and the CLI "
                        + "use the API and the SPI"));
    }

    @Test
    void coreKnowsNoBackendServerOrCommandLine() {
        check(noClasses()
                .that()
                .resideInAnyPackage(
                        "dev.vellum",
                        "dev.vellum.engine..",
                        "dev.vellum.spi..",
                        "dev.vellum.internal..",
                        "dev.vellum.ops..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.vellum.sqlite..", "dev.vellum.postgres..", "dev.vellum.server..", "dev.vellum.cli..")
                .because("backends claim their URLs through BackendProvider; core names none of them"));
    }

    @Test
    void backendsImplementTheSpiNotTheEngine() {
        check(noClasses()
                .that()
                .resideInAnyPackage("dev.vellum.sqlite..", "dev.vellum.postgres..")
                .should()
                .beAssignableTo(com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage(
                        "dev.vellum.internal..", "dev.vellum.engine.."))
                .because("a backend extends and implements only what the SPI keeps stable"));
    }

    @Test
    void theMemoryAndSqlEnginesShareOnlyTheEnginesCommonPart() {
        check(slices().matching("dev.vellum.engine.(*)..")
                .should()
                .notDependOnEachOther()
                .because("what both engines need is in dev.vellum.engine itself"));
        check(noClasses()
                .that()
                .resideInAPackage("dev.vellum.engine")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.vellum.engine.memory..", "dev.vellum.engine.sql..")
                .because("the common part knows neither engine"));
    }

    @Test
    void backendsDoNotKnowEachOther() {
        check(slices().matching("dev.vellum.(sqlite|postgres)..").should().notDependOnEachOther());
    }

    @Test
    void backendsOpenTheirDatabaseThroughTheSqlEngine() {
        check(noClasses()
                .that()
                .resideInAnyPackage("dev.vellum.sqlite..", "dev.vellum.postgres..")
                .should()
                .dependOnClassesThat()
                .haveFullyQualifiedName("dev.vellum.internal.JdbcDatabase")
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName("dev.vellum.internal.ReplicaSet")
                .because("dev.vellum.spi.SqlEngine opens the JDBC engine, with its schema role and replicas"));
    }

    @Test
    void packagesHaveNoCycles() {
        check(slices().matching("dev.vellum.(*)..")
                .should()
                .beFreeOfCycles()
                .because("each package builds on the ones below it"));
    }

    private static void check(ArchRule rule) {
        rule.check(vellum);
    }
}
