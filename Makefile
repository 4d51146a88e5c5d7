# The two commands of the README: `make demo` and `make test`. Both install what is missing first.
VENV := .venv
PY := $(VENV)/bin/python
KIT := $(VENV)/bin/policy-kit
STAMP := $(VENV)/.installed
OUT ?= out

.PHONY: demo test bench install clean serve

$(STAMP): pyproject.toml scripts/setup.sh
	bash scripts/setup.sh
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(KIT) generate corpus/schools/*.yaml -o $(OUT)/generated --force
	$(KIT) roster corpus/roster.csv -o $(OUT)/roster --force
	-$(KIT) check corpus/policies/missing-police-and-pdca.md
	-$(KIT) audit corpus/policies -o $(OUT)/audit --jobs 2 --cache-dir $(OUT)/.cache
	@echo
	@echo "Generated documents: $(OUT)/generated/<school-id>/{policy,leaflet,program,pupils}.{pdf,html}"
	@echo "Roster run:          $(OUT)/roster/"
	@echo "Audit report:        $(OUT)/audit/index.html (letters in $(OUT)/audit/schools/)"

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	mkdir -p benchmarks/results
	$(PY) benchmarks/accuracy.py policies realistic realistic-c realistic-d realistic-e realistic-f blind blind2 blind3 blind4 blind5 blind6 --pool --json benchmarks/results/accuracy.json
	$(PY) benchmarks/accuracy.py blind7 blind8 --quiet --pool --formats --json benchmarks/results/accuracy-blind.json
	$(PY) benchmarks/accuracy.py blind7 blind8 --quiet --pool --no-parse --json benchmarks/results/accuracy-no-parse.json
	$(PY) benchmarks/accuracy.py kitakyushu kitakyushu-heldout --checklist kitakyushu --json benchmarks/results/accuracy-kitakyushu.json
	$(PY) benchmarks/derive.py --json benchmarks/results/derive.json
	$(PY) benchmarks/speed.py --json benchmarks/results/speed.json
	$(PY) benchmarks/readers.py --json benchmarks/results/readers.json
	$(PY) benchmarks/furigana.py --json benchmarks/results/furigana.json
	$(PY) benchmarks/web.py --json benchmarks/results/web.json
	$(PY) benchmarks/faults.py --json benchmarks/results/faults.json

clean:
	rm -rf $(OUT) .pytest_cache

# The web app on http://127.0.0.1:8000/ (see README "The web app").
serve: $(STAMP)
	$(KIT) serve
