import GafferPipeline
import Testing

struct BuildspecLoaderTests {
    func problems(_ text: String) -> [String] {
        do {
            _ = try BuildspecLoader.parse(text, file: "buildspec.yml")
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func readsAFullBuildspec() throws {
        let buildspec = try BuildspecLoader.parse(
            """
            version: 0.2
            env:
              shell: bash
              variables:
                PATH: "$PATH:/opt/tools"
                RETRIES: 3
              parameter-store:
                DB_HOST: /prod/db/host
              secrets-manager:
                TOKEN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ci-AbCdEf:token::"
                WHOLE: ci-secret
              exported-variables: [IMAGE_TAG]
            phases:
              post_build:
                commands: [echo done]
              build:
                on-failure: CONTINUE
                commands:
                  - make
                  - |
                    echo one
                    echo two
                finally:
                  - echo cleanup
              install:
                runtime-versions:
                  python: 3.12
                on-failure: RETRY-2-timeout
            artifacts:
              files: ['**/*']
              base-directory: dist
              discard-paths: yes
              exclude-paths: ['**/*.map']
              secondary-artifacts:
                logs:
                  files: [logs/*]
            reports:
              unit:
                files: [report.xml]
                file-format: junitxml
            cache:
              paths: [/root/.cache/pip/**/*]
              key: pip-$(checksum requirements.txt)
              fallback-keys: [pip-]
            """
        )
        #expect(buildspec.version == .v0_2)
        #expect(buildspec.phases.keys.sorted() == [.install, .build, .postBuild])
        #expect(buildspec.environment.variables.map(\.name) == ["PATH", "RETRIES"])
        #expect(buildspec.environment.variables.map(\.value) == ["$PATH:/opt/tools", "3"])
        #expect(buildspec.environment.parameterStore == ["DB_HOST": "/prod/db/host"])
        #expect(
            buildspec.environment.secretsManager["TOKEN"]
                == SecretReference(
                    secretID: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ci-AbCdEf",
                    jsonKey: "token",
                    versionStage: "AWSCURRENT",
                    versionID: nil
                )
        )
        #expect(
            buildspec.environment.secretsManager["WHOLE"]
                == SecretReference(secretID: "ci-secret", jsonKey: "", versionStage: "AWSCURRENT", versionID: nil)
        )
        #expect(buildspec.environment.exportedVariables == ["IMAGE_TAG"])
        #expect(buildspec.phases[.build]?.commands == ["make", "echo one\necho two\n"])
        #expect(buildspec.phases[.build]?.finally == ["echo cleanup"])
        #expect(buildspec.phases[.build]?.onFailure == .continue)
        #expect(buildspec.phases[.install]?.onFailure == .retry(count: 2, pattern: "timeout"))
        #expect(buildspec.phases[.install]?.runtimeVersions == ["python": "3.12"])
        #expect(buildspec.artifacts == ArtifactSet(files: ["**/*"], baseDirectory: "dist", discardPaths: true, excludePaths: ["**/*.map"]))
        #expect(buildspec.secondaryArtifacts["logs"]?.files == ["logs/*"])
        #expect(buildspec.reports["unit"]?.format == .junitXML)
        #expect(buildspec.cache?.fallbackKeys == ["pip-"])
    }

    @Test func version01IsAcceptedAndOthersAreRefused() throws {
        #expect(try BuildspecLoader.parse("version: 0.1\nphases:\n  build:\n    commands: [ls]\n").version == .v0_1)
        #expect(
            problems("version: 0.3\nphases:\n  build:\n    commands: [ls]\n")
                == ["buildspec.yml:1:10: version 0.3 is not supported; use 0.2 (or 0.1, where every command runs in a fresh shell)"]
        )
        #expect(
            problems("version 0.2\nphases:\n  build:\n    commands: [ls]\n") == ["buildspec.yml:1:8: `version` needs a colon after it: version: 0.2"]
        )
        #expect(problems("phases:\n  build:\n    commands: [ls]\n").first?.contains("`version` is missing") == true)
    }

    @Test func theUsualMistakesGetASuggestion() {
        #expect(
            problems("version: 0.2\nphases:\n  pre-build:\n    commands: [ls]\n")
                == ["buildspec.yml:3:3: `pre-build` is not a phase; did you mean pre_build?"]
        )
        #expect(
            problems("version: 0.2\nphases:\n  build:\n    commands: make all\n")
                == ["buildspec.yml:4:15: build.commands must be a list: put each command on its own line starting with '- '"]
        )
        #expect(
            problems("version: 0.2\nphases:\n  build:\n    commands:\n      - echo: hi\n")
                == ["buildspec.yml:5:9: a command in build.commands was read as a mapping because of the ': ' in it; put the whole command in quotes"]
        )
        #expect(
            problems("version: 0.2\nphases:\n  build:\n    steps:\n      - uses: actions/checkout@v4\n").first?
                .contains("GitHub Actions' steps: have no place in a buildspec") == true
        )
        #expect(
            problems("version: 0.2\nsteps: []\nphases:\n  build:\n    commands: [ls]\n").first?.contains("looks like a GitHub Actions workflow")
                == true
        )
        #expect(
            problems("version: 0.2\nphases:\n  build:\n    commands: [ls]\n    post_build:\n      commands: [ls]\n")
                == ["buildspec.yml:5:5: `post_build` is not a key of build; post_build is indented under build; move it left to line up with build"]
        )
        #expect(
            problems("version: 0.2\nphases:\n  build:\n    commands: [ls]\n  build:\n    commands: [pwd]\n")
                == ["buildspec.yml:5:3: `build` is given more than once in the same mapping (lines 3, 5); keep one"]
        )
        #expect(
            problems("version: 0.2\nphases:\n  build:\n\tcommands: [ls]\n").first
                == "buildspec.yml:4:1: a tab in the indentation; YAML indents with spaces only"
        )
        #expect(
            problems("version: 0.2\nphases:\n  build:\n    comands: [ls]\n").first
                == "buildspec.yml:4:5: `comands` is not a key of build; did you mean commands?"
        )
        #expect(
            problems("version: 0.2\nphases:\n  build:\n    finally: [ls]\n") == [
                "buildspec.yml:4:5: build has no commands:; every phase but install needs a list of commands"
            ]
        )
    }

    @Test func environmentRules() {
        #expect(
            problems("version: 0.2\nenv:\n  variables:\n    CODEBUILD_BUILD_ID: x\nphases:\n  build:\n    commands: [ls]\n")
                == ["buildspec.yml:4:5: CODEBUILD_BUILD_ID: names starting CODEBUILD_ are reserved for the build"]
        )
        #expect(
            problems("version: 0.2\nenv:\n  secrets-manager:\n    T: s:key:AWSPREVIOUS:v1\nphases:\n  build:\n    commands: [ls]\n").first?
                .contains("with a stage or an id, not both") == true
        )
        #expect(
            problems("version: 0.2\nenv:\n  shell: zsh\nphases:\n  build:\n    commands: [ls]\n") == [
                "buildspec.yml:3:10: env.shell is bash or /bin/sh on Linux, not 'zsh'"
            ]
        )
    }

    @Test func limitsOnReportsCacheAndBatch() {
        let sixGroups = (1...6).map { "  g\($0):\n    files: [r.xml]" }.joined(separator: "\n")
        #expect(
            problems("version: 0.2\nphases:\n  build:\n    commands: [ls]\nreports:\n\(sixGroups)\n").first?.contains("at most 5 are allowed") == true
        )
        #expect(
            problems("version: 0.2\nphases:\n  build:\n    commands: [ls]\nreports:\n  g:\n    files: [r.xml]\n    file-format: XUNIT\n").first?
                .contains("file-format 'XUNIT' is not one of JUNITXML") == true
        )
        #expect(problems("version: 0.2\nphases:\n  build:\n    commands: [ls]\ncache:\n  key: k\n").first?.contains("cache needs paths:") == true)
        #expect(
            problems("version: 0.2\nphases:\n  build:\n    commands: [ls]\nartifacts:\n  name: out\n").first?.contains("artifacts needs files:")
                == true
        )
        #expect(problems("version: 0.2\nbatch:\n  build-graph:\n    - buildspec: a.yml\n").first?.contains("needs an identifier") == true)
    }
}
