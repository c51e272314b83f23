//! `bellows diff` benchmark (prints numbers; not a test): two pg_dump-style schemas of 1,000
//! tables (about 40 lines each, with views, sequences, enums and functions), B planted with
//! about 100 differences of varied kinds. Times loading, [`bellows::parity::compare`] alone
//! and the whole `bellows diff A.sql B.sql` process; then identical schemas, and 5,000 tables
//! to show how it scales. Every run is checked: each planted difference is reported, and a
//! schema compared with itself has none. Run: `cargo bench --bench parity`.

use std::fmt::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bellows::catalog::{self, Catalog};
use bellows::parity::{self, Kind, Report};

/// Runs of each measurement; the median is printed.
const RUNS: usize = 5;
/// Planted differences in B, whatever the number of tables.
const PLANTS: usize = 100;
/// Kinds of difference planted in tables, in turn.
const TABLE_KINDS: usize = 12;
const ENUMS: usize = 4;
const SEQUENCES: usize = 20;
const FUNCTIONS: usize = 8;

/// A difference planted in B: the object it is reported on and the kind expected.
struct Plant {
    name: String,
    kind: Kind,
}

/// The generated schema of `tables` tables, and what was planted (nothing for A).
struct Schema {
    text: String,
    plants: Vec<Plant>,
}

/// A pg_dump-shaped schema of `tables` tables; `b` plants differences in about
/// [`PLANTS`] objects: every `tables / PLANTS`-th table gets one (kinds in turn), plus a
/// few on views, enums, sequences and functions.
fn schema(tables: usize, b: bool) -> Schema {
    let step = (tables / PLANTS).max(1);
    let views = tables / 20;
    let mut plants = Vec::new();
    // The kind planted in table `i`, if any.
    let planted = |i: usize| -> Option<usize> {
        (b && i % step == 0 && i / step < PLANTS).then_some((i / step) % TABLE_KINDS)
    };
    let mut plant = |name: String, kind: Kind| plants.push(Plant { name, kind });
    let mut s = String::from(
        "--\n-- PostgreSQL database dump\n--\n\n\
         SET statement_timeout = 0;\nSET lock_timeout = 0;\nSET client_encoding = 'UTF8';\n\
         SET standard_conforming_strings = on;\n\
         SELECT pg_catalog.set_config('search_path', '', false);\n\
         SET check_function_bodies = false;\nSET default_tablespace = '';\n\n",
    );

    // Types.
    for e in 0..ENUMS {
        let extra = if b && e == 1 {
            plant(format!("public.status{e}"), Kind::EnumLabels);
            ", 'archived'"
        } else {
            ""
        };
        let _ = write!(
            s,
            "--\n-- Name: status{e}; Type: TYPE; Schema: public; Owner: app\n--\n\n\
             CREATE TYPE public.status{e} AS ENUM (\n    'new',\n    'active',\n    'closed'{extra}\n);\n\n\
             ALTER TYPE public.status{e} OWNER TO app;\n\n"
        );
    }

    // Functions.
    for (name, body) in [
        ("touch", "NEW.updated_at := now();"),
        ("touch_audit", "NEW.updated_at := clock_timestamp();"),
    ] {
        let _ = write!(
            s,
            "--\n-- Name: {name}(); Type: FUNCTION; Schema: public; Owner: app\n--\n\n\
             CREATE FUNCTION public.{name}() RETURNS trigger\n    LANGUAGE plpgsql\n    AS $$\n\
             BEGIN\n  {body}\n  RETURN NEW;\nEND\n$$;\n\n\
             ALTER FUNCTION public.{name}() OWNER TO app;\n\n"
        );
    }
    for f in 0..FUNCTIONS {
        let k = if b && f == 3 {
            plant(format!("public.price{f}"), Kind::FunctionBody);
            f + 100
        } else {
            f
        };
        let _ = write!(
            s,
            "--\n-- Name: price{f}(numeric); Type: FUNCTION; Schema: public; Owner: app\n--\n\n\
             CREATE FUNCTION public.price{f}(amount numeric) RETURNS numeric\n    LANGUAGE sql IMMUTABLE\n    \
             AS $$ SELECT round(amount * 1.{k:03}, 2) $$;\n\n\
             ALTER FUNCTION public.price{f}(amount numeric) OWNER TO app;\n\n"
        );
    }

    // Tables.
    for i in 0..tables {
        let p = planted(i);
        let t = format!("public.t{i}");
        let e = i % ENUMS;
        let name_ty = if p == Some(4) {
            plant(format!("{t}.name"), Kind::ColumnType);
            "character varying(300)"
        } else {
            "character varying(200)"
        };
        let amount_default = if p == Some(1) {
            plant(format!("{t}.amount"), Kind::Default);
            "1"
        } else {
            "0"
        };
        let note_null = if p == Some(5) {
            plant(format!("{t}.note"), Kind::Nullability);
            " NOT NULL"
        } else {
            ""
        };
        let extra = if p == Some(3) {
            plant(format!("{t}.extra"), Kind::Presence);
            ",\n    extra text"
        } else {
            ""
        };
        // A NOT VALID check is dumped apart from its table, after the data.
        let check = if p == Some(2) {
            plant(format!("{t}.t{i}_amount_check"), Kind::Validated);
            String::new()
        } else {
            format!(",\n    CONSTRAINT t{i}_amount_check CHECK ((amount >= (0)::numeric))")
        };
        let _ = write!(
            s,
            "--\n-- Name: t{i}; Type: TABLE; Schema: public; Owner: app\n--\n\n\
             CREATE TABLE {t} (\n    id bigint NOT NULL,\n    parent_id bigint,\n    email text NOT NULL,\n    \
             name {name_ty},\n    status public.status{e} DEFAULT 'new'::public.status{e} NOT NULL,\n    \
             amount numeric(12,2) DEFAULT {amount_default} NOT NULL,\n    qty integer DEFAULT 1 NOT NULL,\n    \
             note text DEFAULT ''::text{note_null},\n    tags text[] DEFAULT '{{}}'::text[] NOT NULL,\n    \
             payload jsonb DEFAULT '{{}}'::jsonb NOT NULL,\n    active boolean DEFAULT true NOT NULL,\n    \
             created_at timestamp with time zone DEFAULT now() NOT NULL,\n    \
             updated_at timestamp with time zone,\n    deleted_at timestamp with time zone{extra}{check}\n);\n\n\
             ALTER TABLE {t} OWNER TO app;\n\n"
        );
        if i % 2 == 0 {
            let comment = if p == Some(9) {
                plant(t.clone(), Kind::Comment);
                format!("Table {i}, renamed")
            } else {
                format!("Table {i}")
            };
            let _ = write!(
                s,
                "--\n-- Name: TABLE t{i}; Type: COMMENT; Schema: public; Owner: app\n--\n\n\
                 COMMENT ON TABLE {t} IS '{comment}';\n\n\
                 COMMENT ON COLUMN {t}.email IS 'Where to write to';\n\n"
            );
        }
    }

    // Views: each reads one table.
    for v in 0..views {
        let src = v * 20 + 1;
        let more = if b && v % 10 == 3 {
            plant(format!("public.v{v}"), Kind::ViewDefinition);
            format!(",\n    t{src}.name")
        } else {
            String::new()
        };
        if b && v % 10 == 7 {
            plant(format!("public.v{v}"), Kind::Presence);
            continue;
        }
        let _ = write!(
            s,
            "--\n-- Name: v{v}; Type: VIEW; Schema: public; Owner: app\n--\n\n\
             CREATE VIEW public.v{v} AS\n SELECT t{src}.id,\n    t{src}.email,\n    t{src}.amount{more}\n   \
             FROM public.t{src}\n  WHERE (t{src}.deleted_at IS NULL);\n\n\
             ALTER VIEW public.v{v} OWNER TO app;\n\n"
        );
    }

    // Sequences, owned by a table's column.
    for q in 0..SEQUENCES {
        let inc = if b && q == 5 {
            plant(format!("public.seq{q}"), Kind::SequenceIncrement);
            2
        } else {
            1
        };
        let owner = q * (tables / SEQUENCES);
        let _ = write!(
            s,
            "--\n-- Name: seq{q}; Type: SEQUENCE; Schema: public; Owner: app\n--\n\n\
             CREATE SEQUENCE public.seq{q}\n    START WITH 1\n    INCREMENT BY {inc}\n    NO MINVALUE\n    \
             NO MAXVALUE\n    CACHE 1;\n\n\
             ALTER SEQUENCE public.seq{q} OWNER TO app;\n\n\
             ALTER SEQUENCE public.seq{q} OWNED BY public.t{owner}.qty;\n\n"
        );
    }

    // Keys, then indexes, then triggers, then foreign keys, then NOT VALID checks: pg_dump's
    // order (each kind after every table).
    for i in 0..tables {
        let t = format!("public.t{i}");
        let _ = write!(
            s,
            "--\n-- Name: t{i} t{i}_pkey; Type: CONSTRAINT; Schema: public; Owner: app\n--\n\n\
             ALTER TABLE ONLY {t}\n    ADD CONSTRAINT t{i}_pkey PRIMARY KEY (id);\n\n"
        );
        if planted(i) == Some(11) {
            plant(format!("{t}.t{i}_email_key"), Kind::Presence);
        } else {
            let _ = write!(
                s,
                "--\n-- Name: t{i} t{i}_email_key; Type: CONSTRAINT; Schema: public; Owner: app\n--\n\n\
                 ALTER TABLE ONLY {t}\n    ADD CONSTRAINT t{i}_email_key UNIQUE (email);\n\n"
            );
        }
    }
    for i in 0..tables {
        let p = planted(i);
        let t = format!("public.t{i}");
        if p == Some(0) {
            plant(format!("{t}.t{i}_lower_name_idx"), Kind::Presence);
        } else {
            let _ = write!(
                s,
                "--\n-- Name: t{i}_lower_name_idx; Type: INDEX; Schema: public; Owner: app\n--\n\n\
                 CREATE INDEX t{i}_lower_name_idx ON {t} USING btree (lower((name)::text));\n\n"
            );
        }
        let pred = if p == Some(6) {
            plant(format!("{t}.t{i}_live_idx"), Kind::IndexPredicate);
            "((deleted_at IS NULL) AND active)"
        } else {
            "(deleted_at IS NULL)"
        };
        let _ = write!(
            s,
            "--\n-- Name: t{i}_live_idx; Type: INDEX; Schema: public; Owner: app\n--\n\n\
             CREATE INDEX t{i}_live_idx ON {t} USING btree (created_at) WHERE {pred};\n\n"
        );
    }
    for i in (0..tables).filter(|i| i % 5 == 0) {
        let f = if planted(i) == Some(7) {
            plant(format!("public.t{i}.t{i}_touch"), Kind::TriggerDefinition);
            "touch_audit"
        } else {
            "touch"
        };
        let _ = write!(
            s,
            "--\n-- Name: t{i} t{i}_touch; Type: TRIGGER; Schema: public; Owner: app\n--\n\n\
             CREATE TRIGGER t{i}_touch BEFORE UPDATE ON public.t{i} FOR EACH ROW EXECUTE FUNCTION public.{f}();\n\n"
        );
    }
    for i in 1..tables {
        let t = format!("public.t{i}");
        let on_delete = if planted(i) == Some(10) {
            plant(format!("{t}.t{i}_parent_fkey"), Kind::ConstraintDefinition);
            " ON DELETE CASCADE"
        } else {
            ""
        };
        let _ = write!(
            s,
            "--\n-- Name: t{i} t{i}_parent_fkey; Type: FK CONSTRAINT; Schema: public; Owner: app\n--\n\n\
             ALTER TABLE ONLY {t}\n    ADD CONSTRAINT t{i}_parent_fkey FOREIGN KEY (parent_id) REFERENCES public.t{}(id){on_delete};\n\n",
            i - 1
        );
    }
    for i in (0..tables).filter(|&i| planted(i) == Some(2)) {
        let _ = write!(
            s,
            "--\n-- Name: t{i} t{i}_amount_check; Type: CHECK CONSTRAINT; Schema: public; Owner: app\n--\n\n\
             ALTER TABLE public.t{i}\n    ADD CONSTRAINT t{i}_amount_check CHECK ((amount >= (0)::numeric)) NOT VALID;\n\n"
        );
    }

    // Privileges, last.
    for i in (0..tables).filter(|i| i % 2 == 0) {
        let privs = if planted(i) == Some(8) {
            plant(format!("public.t{i}"), Kind::Grants);
            "SELECT,INSERT"
        } else {
            "SELECT"
        };
        let _ = write!(
            s,
            "--\n-- Name: TABLE t{i}; Type: ACL; Schema: public; Owner: app\n--\n\n\
             GRANT {privs} ON TABLE public.t{i} TO reporting;\n\n"
        );
    }
    s.push_str("--\n-- PostgreSQL database dump complete\n--\n\n");
    Schema { text: s, plants }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// Median time of [`RUNS`] calls of `f`, and its last result.
fn time<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..RUNS {
        let t = Instant::now();
        let out = f();
        times.push(t.elapsed());
        last = Some(out);
    }
    (median(times), last.expect("at least one run"))
}

fn load(name: &str, text: &str) -> Catalog {
    catalog::load_str(name, text).unwrap_or_else(|e| panic!("{name} loads: {e}"))
}

/// Every planted difference is in the report (on its object, of its kind).
fn check_found(r: &Report, plants: &[Plant]) {
    for p in plants {
        assert!(
            r.has(&p.name, p.kind),
            "planted {:?} on {} not reported; report has {} difference(s)",
            p.kind,
            p.name,
            r.len()
        );
    }
    assert!(r.len() >= plants.len(), "{} < {}", r.len(), plants.len());
}

/// Median time of the whole `bellows diff a b` process, checking its exit code.
fn process(a: &Path, b: &Path, expect_code: i32) -> Duration {
    let (t, ()) = time(|| {
        let st = Command::new(env!("CARGO_BIN_EXE_bellows"))
            .arg("diff")
            .arg(a)
            .arg(b)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("bellows runs");
        assert_eq!(st.code(), Some(expect_code), "bellows diff {a:?} {b:?}");
    });
    t
}

/// One size: loads, compares and runs the process on A vs B and on A vs a copy of A.
struct Sized {
    tables: usize,
    lines: usize,
    plants: usize,
    found: usize,
    load: Duration,
    compare: Duration,
    process: Duration,
    same_compare: Duration,
    same_process: Duration,
}

fn measure(tables: usize, dir: &Path) -> Sized {
    let a = schema(tables, false);
    let b = schema(tables, true);
    assert!(a.plants.is_empty());
    let (load_t, (ca, cb)) = time(|| (load("a.sql", &a.text), load("b.sql", &b.text)));
    let (compare_t, r) = time(|| parity::compare(&ca, &cb));
    check_found(&r, &b.plants);
    let copy = load("a-copy.sql", &a.text);
    let (same_t, same) = time(|| parity::compare(&ca, &copy));
    assert!(
        same.is_identical(),
        "A vs a copy of A: {} difference(s)",
        same.len()
    );
    assert!(parity::compare(&ca, &ca).is_identical(), "A vs A");

    let pa = dir.join(format!("a{tables}.sql"));
    let pb = dir.join(format!("b{tables}.sql"));
    let pc = dir.join(format!("a{tables}-copy.sql"));
    std::fs::write(&pa, &a.text).expect("write A");
    std::fs::write(&pb, &b.text).expect("write B");
    std::fs::write(&pc, &a.text).expect("write A's copy");
    Sized {
        tables,
        lines: a.text.lines().count(),
        plants: b.plants.len(),
        found: r.len(),
        load: load_t,
        compare: compare_t,
        process: process(&pa, &pb, 1),
        same_compare: same_t,
        same_process: process(&pa, &pc, 0),
    }
}

fn main() {
    let dir = std::env::temp_dir().join(format!("bellows-bench-parity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let small = measure(1000, &dir);
    let large = measure(5000, &dir);
    let _ = std::fs::remove_dir_all(&dir);

    println!(
        "bellows diff: pg_dump-style schemas, median of {RUNS} runs (release build)\n\
         1,000 tables: {} lines each; B has {} planted differences, {} reported\n\
         5,000 tables: {} lines each; B has {} planted differences, {} reported\n",
        small.lines, small.plants, small.found, large.lines, large.plants, large.found
    );
    println!("| what | target | measured |");
    println!("|---|---|---|");
    for s in [&small, &large] {
        let n = if s.tables == 1000 { "1,000" } else { "5,000" };
        let target = |t: &str| {
            if s.tables == 1000 {
                t.to_string()
            } else {
                "-".into()
            }
        };
        println!("| load A + load B, {n} tables | - | {} |", ms(s.load));
        println!("| `compare(A, B)`, {n} tables | - | {} |", ms(s.compare));
        println!(
            "| `bellows diff A.sql B.sql`, {n} tables (exit 1) | {} | {} |",
            target("< 1 s"),
            ms(s.process)
        );
        println!(
            "| `compare(A, A copy)`, {n} identical tables | - | {} |",
            ms(s.same_compare)
        );
        println!(
            "| `bellows diff A.sql A-copy.sql`, {n} identical tables (exit 0) | {} | {} |",
            target("< 1 s"),
            ms(s.same_process)
        );
    }
    let ratio = large.compare.as_secs_f64() / small.compare.as_secs_f64();
    println!("\ncompare, 5x the tables: {ratio:.1}x the time");
}
