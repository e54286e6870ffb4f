//! The syntax tree the parser produces and the interpreter walks.
//!
//! Names are resolved at parse time: locals become slot indices, captured variables become upvalue
//! indices, and only globals are looked up by name at run time.

use std::rc::Rc;

use crate::value::Value;

/// Index into [`Proto::vars`].
pub(crate) type VarId = u16;

/// Where error messages say code came from.
#[derive(Debug)]
pub(crate) struct ChunkName {
    /// As given to `load` (e.g. `@user_script`), reported as the error location's source.
    pub(crate) source: String,
    /// As shown in messages (`user_script`): without the leading `@` or `=`.
    pub(crate) display: String,
}

/// One declared local variable.
#[derive(Debug)]
pub(crate) struct VarInfo {
    pub(crate) name: Rc<str>,
    /// Register slot; slots are reused by variables whose scopes do not overlap.
    pub(crate) slot: u16,
    /// Captured by an inner function: then it lives in a shared cell instead of a register.
    pub(crate) captured: bool,
}

/// How a new closure obtains each of its upvalues from the function creating it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum UpvalSource {
    /// A local of the creating function (always a captured one).
    Local(VarId),
    /// One of the creating function's own upvalues.
    Upval(u16),
}

/// A compiled function body.
#[derive(Debug)]
pub(crate) struct Proto {
    pub(crate) chunk: Rc<ChunkName>,
    pub(crate) num_params: usize,
    pub(crate) is_vararg: bool,
    /// Parameters are the first `num_params` entries, in order.
    pub(crate) vars: Vec<VarInfo>,
    pub(crate) num_slots: usize,
    pub(crate) has_cells: bool,
    pub(crate) upvals: Vec<UpvalSource>,
    pub(crate) upval_names: Vec<Rc<str>>,
    pub(crate) body: Vec<Stmt>,
}

#[derive(Debug)]
pub(crate) enum Stmt {
    /// A function call used as a statement.
    Call(Expr),
    Local {
        vars: Vec<VarId>,
        exprs: Vec<Expr>,
    },
    LocalFunction {
        var: VarId,
        proto: Rc<Proto>,
    },
    Assign {
        targets: Vec<Target>,
        exprs: Vec<Expr>,
    },
    Do(Vec<Stmt>),
    While {
        cond: Expr,
        body: Vec<Stmt>,
        /// The `while` keyword's line: where an abort during the loop is reported.
        line: u32,
    },
    Repeat {
        body: Vec<Stmt>,
        cond: Expr,
        /// The `repeat` keyword's line.
        line: u32,
    },
    If {
        arms: Vec<(Expr, Vec<Stmt>)>,
        otherwise: Option<Vec<Stmt>>,
    },
    NumFor(Box<NumFor>),
    GenFor(Box<GenFor>),
    Return(Vec<Expr>),
    Break,
}

#[derive(Debug)]
pub(crate) struct NumFor {
    pub(crate) var: VarId,
    pub(crate) start: Expr,
    pub(crate) limit: Expr,
    pub(crate) step: Option<Expr>,
    pub(crate) body: Vec<Stmt>,
    pub(crate) line: u32,
}

#[derive(Debug)]
pub(crate) struct GenFor {
    pub(crate) vars: Vec<VarId>,
    pub(crate) exprs: Vec<Expr>,
    pub(crate) body: Vec<Stmt>,
    pub(crate) line: u32,
}

/// The left-hand side of an assignment.
#[derive(Debug)]
pub(crate) enum Target {
    Local(VarId),
    Upval(u16),
    Global(Value, u32),
    Index(Expr, Expr, u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Concat,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug)]
pub(crate) enum Expr {
    Nil,
    True,
    False,
    Num(f64),
    Str(Value),
    Vararg,
    Local(VarId),
    Upval(u16),
    Global(Value, u32),
    Index(Box<(Expr, Expr)>, u32),
    Call(Box<Call>),
    Method(Box<MethodCall>),
    Function(Rc<Proto>),
    Bin(BinOp, Box<(Expr, Expr)>, u32),
    And(Box<(Expr, Expr)>),
    Or(Box<(Expr, Expr)>),
    Not(Box<Expr>),
    Neg(Box<Expr>, u32),
    Len(Box<Expr>, u32),
    Table(Box<TableCons>),
    /// Parentheses truncate a multi-valued expression to one value.
    Paren(Box<Expr>),
}

impl Expr {
    /// Calls and `...` can produce several values at the end of a list.
    pub(crate) fn is_multi(&self) -> bool {
        matches!(self, Expr::Call(_) | Expr::Method(_) | Expr::Vararg)
    }
}

#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) func: Expr,
    pub(crate) args: Vec<Expr>,
    pub(crate) line: u32,
}

#[derive(Debug)]
pub(crate) struct MethodCall {
    pub(crate) obj: Expr,
    pub(crate) name: Value,
    pub(crate) args: Vec<Expr>,
    pub(crate) line: u32,
}

#[derive(Debug)]
pub(crate) enum TableItem {
    Positional(Expr),
    Keyed(Expr, Expr),
}

#[derive(Debug)]
pub(crate) struct TableCons {
    pub(crate) items: Vec<TableItem>,
    pub(crate) line: u32,
}
