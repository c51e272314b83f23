//! Planner benchmark (prints numbers; not a test): load a 20,000-line pg_dump-style schema
//! and plan a 1,000-statement change file against it. Run: `cargo bench --bench planner`.

use std::fmt::Write;
use std::time::{Duration, Instant};

use bellows::planner::{self, Options};

/// A pg_dump-style schema of `tables` tables (about 20 lines each).
fn schema(tables: usize) -> String {
    let mut s = String::from(
        "SET statement_timeout = 0;\nSELECT pg_catalog.set_config('search_path', '', false);\n",
    );
    for i in 0..tables {
        let _ = write!(
            s,
            "\n--\n-- Name: t{i}; Type: TABLE; Schema: public; Owner: app\n--\n\nCREATE TABLE public.t{i} (\n    id bigint NOT NULL,\n    parent_id bigint,\n    email text NOT NULL,\n    name character varying(200),\n    amount numeric(12,2) DEFAULT 0 NOT NULL,\n    created_at timestamp with time zone DEFAULT now() NOT NULL\n);\n\nALTER TABLE public.t{i} OWNER TO app;\nALTER TABLE ONLY public.t{i}\n    ADD CONSTRAINT t{i}_pkey PRIMARY KEY (id);\nCREATE INDEX t{i}_email_idx ON public.t{i} USING btree (lower(email));\n"
        );
        if i > 0 {
            let _ = writeln!(
                s,
                "ALTER TABLE ONLY public.t{i}\n    ADD CONSTRAINT t{i}_parent_fkey FOREIGN KEY (parent_id) REFERENCES public.t{}(id);",
                i - 1
            );
        }
    }
    s
}

/// A change file of `n` statements spread over the tables, mixing recipes.
fn change(n: usize, tables: usize) -> String {
    let mut s = String::new();
    for k in 0..n {
        let t = (k * 7) % tables;
        let _ = match k % 8 {
            0 => writeln!(s, "ALTER TABLE t{t} RENAME COLUMN name TO name_{k};"),
            1 => writeln!(s, "ALTER TABLE t{t} ADD COLUMN c{k} integer DEFAULT 1;"),
            2 => writeln!(s, "CREATE INDEX t{t}_created_{k}_idx ON t{t} (created_at);"),
            3 => writeln!(
                s,
                "ALTER TABLE t{t} ADD CONSTRAINT t{t}_amount_{k}_check CHECK (amount >= 0);"
            ),
            4 => writeln!(
                s,
                "ALTER TABLE t{t} ALTER COLUMN amount TYPE numeric(14,2);"
            ),
            5 => writeln!(
                s,
                "-- bellows:fill 'n/a'\nALTER TABLE t{t} ALTER COLUMN name SET NOT NULL;"
            ),
            6 => writeln!(
                s,
                "ALTER TABLE t{t} ADD COLUMN u{k} uuid NOT NULL DEFAULT gen_random_uuid();"
            ),
            _ => writeln!(
                s,
                "ALTER TABLE t{t} ALTER COLUMN created_at SET DEFAULT clock_timestamp();"
            ),
        };
    }
    s
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let tables = 1000;
    let schema_text = schema(tables);
    let lines = schema_text.lines().count();
    let change_text = change(1000, tables);
    let statements = change_text.matches(';').count();

    let mut load = Vec::new();
    let mut cat = None;
    for _ in 0..7 {
        let t = Instant::now();
        cat = Some(
            bellows::catalog::load_str("bench-schema.sql", &schema_text).expect("schema loads"),
        );
        load.push(t.elapsed());
    }
    let cat = cat.expect("catalog");
    let mut plan = Vec::new();
    let mut steps = 0;
    for _ in 0..7 {
        let t = Instant::now();
        let p = planner::plan("bench-change.sql", &change_text, &cat, &Options::default())
            .expect("change plans");
        plan.push(t.elapsed());
        steps = p.steps.len();
    }
    // One ALTER TABLE with many actions: planning must stay linear in them. ADD COLUMN
    // stops at 1,600 (PostgreSQL's limit of columns per table); CHECK constraints do not.
    let mut wide = Vec::new();
    type Shape = (&'static str, usize, fn(usize) -> String);
    let shapes: [Shape; 2] = [
        ("ADD COLUMN", 1600, |k| format!("ADD COLUMN w{k} integer")),
        ("ADD CONSTRAINT ... CHECK", 8000, |k| {
            format!("ADD CONSTRAINT t1_w{k}_check CHECK (amount > -{k})")
        }),
    ];
    for (what, max, action) in shapes {
        let mut n = max / 8;
        while n <= max {
            let list: Vec<String> = (0..n).map(action).collect();
            let text = format!("ALTER TABLE t1 {};", list.join(", "));
            let mut times = Vec::new();
            for _ in 0..3 {
                let t = Instant::now();
                planner::plan("bench-wide.sql", &text, &cat, &Options::default())
                    .expect("wide change plans");
                times.push(t.elapsed());
            }
            wide.push((what, n, median(times)));
            n *= 2;
        }
    }
    println!(
        "load schema: {lines} lines, {tables} tables: median {:.1} ms (target < 500 ms)",
        median(load).as_secs_f64() * 1e3
    );
    println!(
        "plan change: {statements} statements -> {steps} steps: median {:.1} ms (target < 100 ms)",
        median(plan).as_secs_f64() * 1e3
    );
    for (what, actions, t) in wide {
        println!(
            "plan one ALTER TABLE with {actions} x {what}: median {:.1} ms ({:.1} µs per action)",
            t.as_secs_f64() * 1e3,
            t.as_secs_f64() * 1e6 / actions as f64
        );
    }
}
