# Pacer's commands. Each recipe is a script in scripts/ so that traps and clean-up stay correct.
#   make run       install, build, start the embedded PostgreSQL (.pgdata/), migrate, load demo
#                  data, run PacerServer on http://127.0.0.1:8080/ (Ctrl-C stops everything)
#   make test      install, build, run every test against a throwaway PostgreSQL
#   make bench     run the benchmark suite (scripts/bench.sh)
#   make migrate   Migrator up against DATABASE_URL, or the embedded cluster in .pgdata/
#   make clean-db  stop and remove the embedded cluster in .pgdata/
#   make deps      install missing system packages only

SHELL := /bin/bash
PGDATA_DIR ?= .pgdata

.PHONY: run test bench migrate clean-db deps

run:
	scripts/run.sh

test:
	scripts/test.sh $(ARGS)

bench:
	@if [ -x scripts/bench.sh ]; then scripts/bench.sh $(ARGS); \
	else echo "make bench: scripts/bench.sh does not exist yet" >&2; exit 1; fi

migrate:
	scripts/migrate.sh $(ARGS)

clean-db:
	scripts/embedded-postgres.sh destroy $(PGDATA_DIR)

deps:
	scripts/install-deps.sh
