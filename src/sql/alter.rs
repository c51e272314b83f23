//! One action of `ALTER TABLE`, from sqlparser's AST to [`AlterAction`].

use sqlparser::ast::{self, AlterColumnOperation, AlterTableOperation, GeneratedAs};

use super::constraint::{column_def, constraint, type_checked};
use super::ddl::*;
use super::error::SqlError;
use super::expr::normalize_expr;
use super::ident::fold;
use super::source::RawStatement;

/// One `ALTER TABLE` action.
pub(super) fn alter_action(
    raw: &RawStatement,
    op: &AlterTableOperation,
) -> Result<AlterAction, SqlError> {
    use AlterTableOperation as O;
    Ok(match op {
        O::AddColumn {
            column_def,
            if_not_exists,
            ..
        } => AlterAction::AddColumn {
            column: self::column_def(raw, column_def)?,
            if_not_exists: *if_not_exists,
        },
        O::DropColumn {
            column_names,
            if_exists,
            drop_behavior,
            ..
        } => {
            let [name] = column_names.as_slice() else {
                return Err(raw.error("drop one column per DROP COLUMN"));
            };
            AlterAction::DropColumn {
                name: fold(name),
                if_exists: *if_exists,
                cascade: matches!(drop_behavior, Some(ast::DropBehavior::Cascade)),
            }
        }
        O::RenameColumn {
            old_column_name,
            new_column_name,
        } => AlterAction::RenameColumn {
            from: fold(old_column_name),
            to: fold(new_column_name),
        },
        O::RenameTable { table_name } => {
            let n = match table_name {
                ast::RenameTableNameKind::As(n) | ast::RenameTableNameKind::To(n) => n,
            };
            let to =
                n.0.last()
                    .and_then(|p| p.as_ident())
                    .map(fold)
                    .unwrap_or_default();
            AlterAction::RenameTable { to }
        }
        O::AlterColumn { column_name, op } => {
            let column = fold(column_name);
            match op {
                AlterColumnOperation::SetNotNull => AlterAction::SetNotNull { column },
                AlterColumnOperation::DropNotNull => AlterAction::DropNotNull { column },
                AlterColumnOperation::SetDefault { value } => AlterAction::SetDefault {
                    column,
                    expr: normalize_expr(value),
                },
                AlterColumnOperation::DropDefault => AlterAction::DropDefault { column },
                AlterColumnOperation::SetDataType {
                    data_type, using, ..
                } => AlterAction::SetType {
                    column,
                    ty: type_checked(raw, data_type)?,
                    using: using.as_ref().map(normalize_expr),
                },
                AlterColumnOperation::AddGenerated { generated_as, .. } => {
                    AlterAction::AddIdentity {
                        column,
                        kind: match generated_as {
                            Some(GeneratedAs::Always) => Identity::Always,
                            _ => Identity::ByDefault,
                        },
                    }
                }
            }
        }
        O::AddConstraint {
            constraint: c,
            not_valid,
        } => AlterAction::AddConstraint {
            def: constraint(raw, c)?,
            not_valid: *not_valid,
        },
        O::ValidateConstraint { name } => AlterAction::ValidateConstraint { name: fold(name) },
        O::DropConstraint {
            name,
            if_exists,
            drop_behavior,
        } => AlterAction::DropConstraint {
            name: fold(name),
            if_exists: *if_exists,
            cascade: matches!(drop_behavior, Some(ast::DropBehavior::Cascade)),
        },
        O::SetLogged => AlterAction::SetLogged { logged: true },
        O::SetUnlogged => AlterAction::SetLogged { logged: false },
        O::OwnerTo { .. } => AlterAction::Ignored {
            what: "OWNER TO".into(),
        },
        O::EnableRowLevelSecurity => AlterAction::RowSecurity { enable: true },
        O::DisableRowLevelSecurity => AlterAction::RowSecurity { enable: false },
        O::EnableTrigger { .. }
        | O::DisableTrigger { .. }
        | O::EnableAlwaysTrigger { .. }
        | O::EnableReplicaTrigger { .. }
        | O::ForceRowLevelSecurity
        | O::NoForceRowLevelSecurity
        | O::ReplicaIdentity { .. } => AlterAction::Ignored {
            what: op.to_string(),
        },
        other => AlterAction::Unsupported {
            what: other.to_string(),
        },
    })
}
