# The commands of README.md. Each one installs what it needs when it is missing.
.PHONY: run test lint bench setup clean

run:    ## set up and start the suite on http://localhost:8069 (simulator on :8070)
	scripts/run.sh

test:   ## set up a throwaway database and run every test (ARGS="..." narrows pytest)
	scripts/test.sh $(ARGS)

lint:   ## ruff on the whole repository
	scripts/lint.sh

bench:  ## print the benchmark figures (bench/README.md)
	scripts/bench.sh $(ARGS)

setup:  ## only install what is missing (Debian packages, PyPI packages, Odoo 18.0)
	scripts/setup.sh

clean:  ## stop and delete the local database cluster of `make run`
	scripts/clean.sh
