//! The lint rules: a closed [`Rule`] enum with stable ids, one file per rule. Each file holds
//! the rule's [`Doc`] (why it matters, the safe recipe, a bad and a good example) and the
//! predicate that says when it fires on a statement's [`Cx`].

use super::Severity;
use super::subject::Subject;
use crate::safety::LockClaim;

mod add_check;
mod add_column_generated_stored;
mod add_column_not_null_no_default;
mod add_column_serial_identity;
mod add_column_volatile_default;
mod add_exclude;
mod add_foreign_key;
mod add_unique_or_primary_key;
mod alter_type_rewrite;
mod cluster;
mod concurrently_in_transaction;
mod create_index;
mod drop_column;
mod drop_index;
mod drop_table;
mod lock_table;
mod missing_lock_timeout;
mod reindex;
mod rename_column;
mod rename_table;
mod set_logged;
mod set_not_null;
mod several_blocking_statements;
mod truncate;
mod unreadable_statement;
mod vacuum_full;

/// Every rule bellows checks. Ids are stable: configs and `-- bellows:ignore` name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// `create-index`.
    CreateIndex,
    /// `drop-index`.
    DropIndex,
    /// `reindex`.
    Reindex,
    /// `add-foreign-key`.
    AddForeignKey,
    /// `add-check`.
    AddCheck,
    /// `set-not-null`.
    SetNotNull,
    /// `alter-type-rewrite`.
    AlterTypeRewrite,
    /// `rename-column`.
    RenameColumn,
    /// `rename-table`.
    RenameTable,
    /// `drop-column`.
    DropColumn,
    /// `drop-table`.
    DropTable,
    /// `truncate`.
    Truncate,
    /// `add-column-volatile-default`.
    AddColumnVolatileDefault,
    /// `add-column-serial-identity`.
    AddColumnSerialOrIdentity,
    /// `add-column-generated-stored`.
    AddColumnGeneratedStored,
    /// `add-column-not-null-no-default`.
    AddColumnNotNullNoDefault,
    /// `add-unique-or-primary-key`.
    AddUniqueOrPrimaryKey,
    /// `add-exclude`.
    AddExclude,
    /// `vacuum-full`.
    VacuumFull,
    /// `cluster`.
    Cluster,
    /// `set-logged`.
    SetLogged,
    /// `lock-table`.
    LockTable,
    /// `concurrently-in-transaction`.
    ConcurrentlyInTransaction,
    /// `several-blocking-statements`.
    SeveralBlockingStatements,
    /// `missing-lock-timeout`.
    MissingLockTimeout,
    /// `unreadable-statement`.
    UnreadableStatement,
}

/// What a person reads about a rule.
#[derive(Debug)]
pub struct Doc {
    /// Stable id.
    pub id: &'static str,
    /// How bad a finding is.
    pub severity: Severity,
    /// One line.
    pub title: &'static str,
    /// Why it matters: the lock, what it blocks, for how long.
    pub why: &'static str,
    /// The safe way.
    pub recipe: &'static str,
    /// Schema the examples run against (an earlier migration).
    pub setup: &'static str,
    /// A migration the rule fires on.
    pub bad: &'static str,
    /// The safe version, on which no rule fires.
    pub good: &'static str,
}

/// Everything a rule may look at for one DDL action (or one unreadable statement).
#[derive(Debug)]
pub struct Cx<'a> {
    /// The action, when the statement was read.
    pub subject: Option<&'a Subject>,
    /// What the knowledge base says the action takes.
    pub claim: LockClaim,
    /// The table existed before this migration (not created in it).
    pub existing: bool,
    /// Inside a transaction: explicit, the tool's, or an implicit one.
    pub in_tx: bool,
    /// Inside a transaction the file opened itself with BEGIN.
    pub own_tx: bool,
    /// A lock_timeout is in effect.
    pub lock_timeout: bool,
    /// An earlier statement of the same transaction already blocks reads or writes.
    pub earlier_blocking: Option<&'a str>,
    /// The reader's error, for a statement that could not be read.
    pub unreadable: Option<&'a str>,
}

impl Cx<'_> {
    /// Does the action hold a lock that stops reads or writes?
    pub fn blocks(&self) -> bool {
        self.claim.mode.blocks_reads() || self.claim.mode.blocks_writes()
    }
}

impl Rule {
    /// Every rule, in id order of the book.
    pub const ALL: &'static [Rule] = &[
        Rule::CreateIndex,
        Rule::DropIndex,
        Rule::Reindex,
        Rule::AddForeignKey,
        Rule::AddCheck,
        Rule::SetNotNull,
        Rule::AlterTypeRewrite,
        Rule::RenameColumn,
        Rule::RenameTable,
        Rule::DropColumn,
        Rule::DropTable,
        Rule::Truncate,
        Rule::AddColumnVolatileDefault,
        Rule::AddColumnSerialOrIdentity,
        Rule::AddColumnGeneratedStored,
        Rule::AddColumnNotNullNoDefault,
        Rule::AddUniqueOrPrimaryKey,
        Rule::AddExclude,
        Rule::VacuumFull,
        Rule::Cluster,
        Rule::SetLogged,
        Rule::LockTable,
        Rule::ConcurrentlyInTransaction,
        Rule::SeveralBlockingStatements,
        Rule::MissingLockTimeout,
        Rule::UnreadableStatement,
    ];

    /// The rule's documentation.
    pub fn doc(self) -> &'static Doc {
        match self {
            Rule::CreateIndex => &create_index::DOC,
            Rule::DropIndex => &drop_index::DOC,
            Rule::Reindex => &reindex::DOC,
            Rule::AddForeignKey => &add_foreign_key::DOC,
            Rule::AddCheck => &add_check::DOC,
            Rule::SetNotNull => &set_not_null::DOC,
            Rule::AlterTypeRewrite => &alter_type_rewrite::DOC,
            Rule::RenameColumn => &rename_column::DOC,
            Rule::RenameTable => &rename_table::DOC,
            Rule::DropColumn => &drop_column::DOC,
            Rule::DropTable => &drop_table::DOC,
            Rule::Truncate => &truncate::DOC,
            Rule::AddColumnVolatileDefault => &add_column_volatile_default::DOC,
            Rule::AddColumnSerialOrIdentity => &add_column_serial_identity::DOC,
            Rule::AddColumnGeneratedStored => &add_column_generated_stored::DOC,
            Rule::AddColumnNotNullNoDefault => &add_column_not_null_no_default::DOC,
            Rule::AddUniqueOrPrimaryKey => &add_unique_or_primary_key::DOC,
            Rule::AddExclude => &add_exclude::DOC,
            Rule::VacuumFull => &vacuum_full::DOC,
            Rule::Cluster => &cluster::DOC,
            Rule::SetLogged => &set_logged::DOC,
            Rule::LockTable => &lock_table::DOC,
            Rule::ConcurrentlyInTransaction => &concurrently_in_transaction::DOC,
            Rule::SeveralBlockingStatements => &several_blocking_statements::DOC,
            Rule::MissingLockTimeout => &missing_lock_timeout::DOC,
            Rule::UnreadableStatement => &unreadable_statement::DOC,
        }
    }

    /// Stable id.
    pub fn id(self) -> &'static str {
        self.doc().id
    }

    /// From its id.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|r| r.id() == id)
    }

    /// Does the rule fire here?
    pub fn fires(self, cx: &Cx) -> bool {
        match self {
            Rule::CreateIndex => create_index::fires(cx),
            Rule::DropIndex => drop_index::fires(cx),
            Rule::Reindex => reindex::fires(cx),
            Rule::AddForeignKey => add_foreign_key::fires(cx),
            Rule::AddCheck => add_check::fires(cx),
            Rule::SetNotNull => set_not_null::fires(cx),
            Rule::AlterTypeRewrite => alter_type_rewrite::fires(cx),
            Rule::RenameColumn => rename_column::fires(cx),
            Rule::RenameTable => rename_table::fires(cx),
            Rule::DropColumn => drop_column::fires(cx),
            Rule::DropTable => drop_table::fires(cx),
            Rule::Truncate => truncate::fires(cx),
            Rule::AddColumnVolatileDefault => add_column_volatile_default::fires(cx),
            Rule::AddColumnSerialOrIdentity => add_column_serial_identity::fires(cx),
            Rule::AddColumnGeneratedStored => add_column_generated_stored::fires(cx),
            Rule::AddColumnNotNullNoDefault => add_column_not_null_no_default::fires(cx),
            Rule::AddUniqueOrPrimaryKey => add_unique_or_primary_key::fires(cx),
            Rule::AddExclude => add_exclude::fires(cx),
            Rule::VacuumFull => vacuum_full::fires(cx),
            Rule::Cluster => cluster::fires(cx),
            Rule::SetLogged => set_logged::fires(cx),
            Rule::LockTable => lock_table::fires(cx),
            Rule::ConcurrentlyInTransaction => concurrently_in_transaction::fires(cx),
            Rule::SeveralBlockingStatements => several_blocking_statements::fires(cx),
            Rule::MissingLockTimeout => missing_lock_timeout::fires(cx),
            Rule::UnreadableStatement => unreadable_statement::fires(cx),
        }
    }
}
