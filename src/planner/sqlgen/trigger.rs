//! The trigger templates: the sync trigger that keeps an old and a new column equal while
//! both are in use, the trigger that computes a column on every write, and the trigger that
//! fills a column old code leaves NULL.

use crate::plan::BACKFILL_SETTING;
use crate::sql::{QName, quote_ident as q};

/// `DROP TRIGGER IF EXISTS "name" ON table`.
pub fn drop_trigger(name: &str, table: &QName) -> String {
    format!("DROP TRIGGER IF EXISTS {} ON {}", q(name), table.sql())
}

/// `DROP FUNCTION IF EXISTS f()`.
pub fn drop_function(function: &QName) -> String {
    format!("DROP FUNCTION IF EXISTS {}()", function.sql())
}

/// A PL/pgSQL trigger function `f()` with `body` between BEGIN and `RETURN NEW; END`,
/// dollar-quoted with a tag the body does not contain (a column may be named `$bellows$`).
fn trigger_function(function: &QName, body: &str) -> String {
    let tag = dollar_tag(body);
    format!(
        "CREATE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS {tag}\nBEGIN\n{body}  RETURN NEW;\nEND\n{tag}",
        function.sql()
    )
}

/// `$bellows$`, or `$bellows_1$`, `$bellows_2$`, ... the first that `body` does not contain.
pub fn dollar_tag(body: &str) -> String {
    let mut tag = "$bellows$".to_string();
    let mut n = 0;
    while body.contains(&tag) {
        n += 1;
        tag = format!("$bellows_{n}$");
    }
    tag
}

/// The dual-write trigger between an old column and its replacement.
#[derive(Debug, Clone)]
pub struct SyncTrigger {
    /// The table.
    pub table: QName,
    /// The trigger function.
    pub function: QName,
    /// The BEFORE INSERT trigger's name.
    pub on_insert: String,
    /// The BEFORE UPDATE trigger's name.
    pub on_update: String,
    /// The old column.
    pub old: String,
    /// The new column.
    pub new: String,
    /// The new value from `NEW."old"` (an expression).
    pub up: String,
    /// The old value from `NEW."new"` (an expression).
    pub down: String,
}

impl SyncTrigger {
    /// The function and both triggers.
    ///
    /// On INSERT the function fills whichever column the writer left NULL; on UPDATE it
    /// copies from the column that changed. Updates that change neither column never call
    /// it (the WHEN clause is evaluated without entering PL/pgSQL), and bellows' own backfill
    /// batches, which write both sides consistently, skip it through a transaction-local
    /// setting.
    pub fn create(&self) -> Vec<String> {
        let (o, n) = (q(&self.old), q(&self.new));
        let (up, down) = (&self.up, &self.down);
        let body = format!(
            "  IF TG_OP = 'INSERT' THEN\n    IF NEW.{n} IS NULL THEN\n      NEW.{n} := {up};\n    ELSE\n      NEW.{o} := {down};\n    END IF;\n  ELSIF NEW.{n} IS DISTINCT FROM OLD.{n} THEN\n    NEW.{o} := {down};\n  ELSIF NEW.{o} IS DISTINCT FROM OLD.{o} THEN\n    NEW.{n} := {up};\n  END IF;\n"
        );
        let f = self.function.sql();
        vec![
            trigger_function(&self.function, &body),
            format!(
                "CREATE TRIGGER {} BEFORE INSERT ON {} FOR EACH ROW EXECUTE FUNCTION {f}()",
                q(&self.on_insert),
                self.table.sql()
            ),
            format!(
                "CREATE TRIGGER {} BEFORE UPDATE ON {} FOR EACH ROW WHEN ((NEW.{n} IS DISTINCT FROM OLD.{n} OR NEW.{o} IS DISTINCT FROM OLD.{o}) AND current_setting('{BACKFILL_SETTING}', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION {f}()",
                q(&self.on_update),
                self.table.sql()
            ),
        ]
    }

    /// Both triggers and the function, gone.
    pub fn drop(&self) -> Vec<String> {
        vec![
            drop_trigger(&self.on_insert, &self.table),
            drop_trigger(&self.on_update, &self.table),
            drop_function(&self.function),
        ]
    }
}

/// A trigger that sets `column` to `computed` (an expression over `NEW`) on every write.
#[derive(Debug, Clone)]
pub struct ComputeTrigger {
    /// The table.
    pub table: QName,
    /// The trigger function.
    pub function: QName,
    /// The trigger's name.
    pub name: String,
    /// The computed column.
    pub column: String,
    /// Its value, over `NEW`.
    pub computed: String,
}

impl ComputeTrigger {
    /// The function and the trigger.
    pub fn create(&self) -> Vec<String> {
        let body = format!("  NEW.{} := {};\n", q(&self.column), self.computed);
        vec![
            trigger_function(&self.function, &body),
            format!(
                "CREATE TRIGGER {} BEFORE INSERT OR UPDATE ON {} FOR EACH ROW EXECUTE FUNCTION {}()",
                q(&self.name),
                self.table.sql(),
                self.function.sql()
            ),
        ]
    }

    /// The trigger and the function, gone.
    pub fn drop(&self) -> Vec<String> {
        vec![
            drop_trigger(&self.name, &self.table),
            drop_function(&self.function),
        ]
    }
}

/// `-- bellows:up`: a trigger that computes `column` from the row for writes that leave it
/// alone: an INSERT without it (NULL), an UPDATE that does not change it. Old code, which
/// does not know the column, keeps it right; code that writes the column itself wins.
#[derive(Debug, Clone)]
pub struct UpTrigger {
    /// The table.
    pub table: QName,
    /// The trigger function.
    pub function: QName,
    /// The trigger's name (the UPDATE trigger gets `_u` appended, fitted).
    pub name: String,
    /// The column it computes.
    pub column: String,
    /// The value, over `NEW`.
    pub up: String,
}

impl UpTrigger {
    fn update_name(&self) -> String {
        crate::catalog::names::fit(&format!("{}_u", self.name))
    }

    /// The function and its two triggers.
    pub fn create(&self) -> Vec<String> {
        let c = q(&self.column);
        let body = format!("  NEW.{c} := {};\n", self.up);
        vec![
            trigger_function(&self.function, &body),
            format!(
                "CREATE TRIGGER {} BEFORE INSERT ON {} FOR EACH ROW WHEN (NEW.{c} IS NULL) EXECUTE FUNCTION {}()",
                q(&self.name),
                self.table.sql(),
                self.function.sql()
            ),
            format!(
                "CREATE TRIGGER {} BEFORE UPDATE ON {} FOR EACH ROW WHEN (NEW.{c} IS NOT DISTINCT FROM OLD.{c}) EXECUTE FUNCTION {}()",
                q(&self.update_name()),
                self.table.sql(),
                self.function.sql()
            ),
        ]
    }

    /// The triggers and the function, gone.
    pub fn drop(&self) -> Vec<String> {
        vec![
            drop_trigger(&self.name, &self.table),
            drop_trigger(&self.update_name(), &self.table),
            drop_function(&self.function),
        ]
    }
}

/// A trigger that writes `fill` (an expression over `NEW`) into `column` whenever a row is
/// inserted or updated with it NULL: old code that does not write the column keeps working
/// while the column becomes NOT NULL.
#[derive(Debug, Clone)]
pub struct FillTrigger {
    /// The table.
    pub table: QName,
    /// The trigger function.
    pub function: QName,
    /// The trigger's name.
    pub name: String,
    /// The column it fills.
    pub column: String,
    /// The value, over `NEW`.
    pub fill: String,
}

impl FillTrigger {
    /// The function and the trigger. The WHEN clause is evaluated without entering
    /// PL/pgSQL, so a write that sets the column costs next to nothing.
    pub fn create(&self) -> Vec<String> {
        let c = q(&self.column);
        let body = format!("  NEW.{c} := {};\n", self.fill);
        vec![
            trigger_function(&self.function, &body),
            format!(
                "CREATE TRIGGER {} BEFORE INSERT OR UPDATE ON {} FOR EACH ROW WHEN (NEW.{c} IS NULL) EXECUTE FUNCTION {}()",
                q(&self.name),
                self.table.sql(),
                self.function.sql()
            ),
        ]
    }

    /// The trigger and the function, gone.
    pub fn drop(&self) -> Vec<String> {
        vec![
            drop_trigger(&self.name, &self.table),
            drop_function(&self.function),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dollar_quote_never_occurs_in_the_body() {
        let t: QName = "t".parse().expect("name");
        let sync = SyncTrigger {
            table: t.clone(),
            function: t.sibling("f"),
            on_insert: "i".into(),
            on_update: "u".into(),
            old: "a$bellows$".into(),
            new: "b".into(),
            up: "NEW.\"a$bellows$\"".into(),
            down: "NEW.\"b\"".into(),
        };
        let f = &sync.create()[0];
        assert!(
            f.contains("AS $bellows_1$\n") && f.ends_with("\n$bellows_1$"),
            "{f}"
        );
        assert_eq!(f.matches("$bellows_1$").count(), 2);
        assert_eq!(dollar_tag("$bellows$ $bellows_1$"), "$bellows_2$");
    }
}
