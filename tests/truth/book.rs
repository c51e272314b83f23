//! The book page `lock-truth.md`: how the claims are measured, and one table row per form.

use bellows::safety::{LockClaim, LockMode};

use super::fixtures::{Fixture, ROWS};
use super::observation::Observation;

/// Where the page lives, from the crate root.
pub const PATH: &str = "book/src/lock-truth.md";

/// One form's row.
pub struct Row<'a> {
    pub fixture: &'a Fixture,
    pub claim: &'a LockClaim,
    pub seen: &'a Observation,
}

/// Inline code for a table cell.
fn code(s: &str) -> String {
    format!("`{}`", s.replace('|', "\\|"))
}

fn transaction_block(claimed: bool, seen: bool) -> String {
    let word = |b: bool| if b { "yes" } else { "no" };
    if claimed == seen {
        word(claimed).to_string()
    } else {
        format!("claimed {}, observed {}", word(claimed), word(seen))
    }
}

fn others(list: &[(String, LockMode)]) -> String {
    if list.is_empty() {
        return "—".into();
    }
    list.iter()
        .map(|(n, m)| format!("{}: {m}", code(n)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The whole page for server major version `major`.
pub fn render(major: u32, rows: &[Row]) -> String {
    let mut s = String::new();
    s.push_str("# Lock truth\n\n");
    s.push_str(&format!(
        "Every plan step carries a lock claim: the strongest table lock its statement takes and how \
long it holds it. The claims come from one knowledge base (`src/safety/forms.rs`), and this \
page shows each of them next to what a real PostgreSQL {major} server did. The test \
`tests/lock_truth.rs` writes it and fails when the page or a claim goes stale \
(`BELLOWS_UPDATE_BOOK=1 cargo test --test lock_truth` rewrites it).\n\n"
    ));
    s.push_str(&format!(
        "How each row is measured:\n\n\
- Every form runs against a table `t (id bigint PRIMARY KEY, a int, b varchar(20), c int)` with \
{ROWS} rows, in a schema of its own, plus what the form needs (an index, a constraint, a \
referenced table `p`, an enum type, a trigger function).\n\
- **Locks.** A form that may run in a transaction block runs in one, and before the block ends a \
second connection reads `pg_locks` for its backend: every relation lock it holds, since a lock \
is kept to the end of the transaction. A form that cannot (CONCURRENTLY, VACUUM FULL) must be \
refused inside a block; it then runs on its own while another transaction holds ROW EXCLUSIVE on \
the table, which every such form has to wait for. While it waits, `pg_locks` shows what it holds \
and what it queues for (which it holds once granted).\n\
- **Observed lock** is the strongest mode on the table the claim is about. A form claimed to take \
no lock must take none on any relation that existed before it; a new relation, invisible to other \
sessions until commit, is listed under other relations as `(new)`.\n\
- **Files.** `pg_class.relfilenode` of the table and its indexes, before and after: a rewrite \
puts the table in a new file, a build gives an index a new file.\n\
- **Rows read.** The table's statistics counters (`seq_tup_read`, `idx_tup_fetch`), flushed \
before and after. *rewrite* is a new table file with every row read; *build* a new index file \
with every row read; *scan* every row read, nothing rebuilt (for a form that fails on a table \
with rows: a scan that began and failed); *brief* anything less; *none* nothing locked on the \
table and nothing read. A brief claim is also met by none.\n\n"
    ));
    s.push_str(
        "| form | statement | claimed lock | claimed duration | observed lock | other relations locked | observed duration | in a transaction block |\n",
    );
    s.push_str("|---|---|---|---|---|---|---|---|\n");
    for r in rows {
        let stmt = if r.fixture.statements.is_empty() {
            "(nothing)".to_string()
        } else {
            r.fixture
                .statements
                .iter()
                .map(|x| code(&x.sql))
                .collect::<Vec<_>>()
                .join("; ")
        };
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.fixture.name,
            stmt,
            r.claim.mode,
            r.claim.duration,
            r.seen.target_mode,
            others(&r.seen.others),
            r.seen.detail(),
            transaction_block(r.claim.transactional, r.seen.transactional),
        ));
    }
    s
}
