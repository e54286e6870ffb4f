//! Recursive-descent parser for Lua 5.1 that also resolves every name to a local slot, an upvalue or
//! a global, so the interpreter never looks locals up by name.

use std::rc::Rc;

use crate::ast::{
    BinOp, Call, ChunkName, Expr, GenFor, MethodCall, NumFor, Proto, Stmt, TableCons, TableItem,
    Target, UpvalSource, VarId, VarInfo,
};
use crate::error::LuaError;
use crate::lexer::{LexError, Lexer, Tok, Token};
use crate::value::Value;

/// Nesting limit for blocks and expressions (Lua 5.1's LUAI_MAXCCALLS); it also bounds the Rust
/// stack the parser and the tree-walking interpreter need.
const MAX_DEPTH: usize = 200;
/// Lua 5.1's limit of active locals per function.
const MAX_LOCALS: usize = 200;
const MAX_UPVALUES: usize = 255;
const UNARY_PRIORITY: u8 = 8;

/// Parses a whole chunk into the prototype of its main function (which is vararg).
pub(crate) fn parse_chunk(
    chunk_name: &str,
    source: &[u8],
    stack_budget: usize,
) -> Result<Rc<Proto>, LuaError> {
    let display = chunk_name
        .strip_prefix(['@', '='])
        .unwrap_or(chunk_name)
        .to_string();
    let chunk = Rc::new(ChunkName {
        source: chunk_name.to_string(),
        display,
    });
    let mut lex = Lexer::new(source);
    let first = lex.next_token().map_err(|e| lex_error(&chunk, e))?;
    let marker = 0u8;
    let stack_base = std::hint::black_box(&marker) as *const u8 as usize;
    let mut p = Parser {
        lex,
        tok: first,
        ahead: None,
        prev_line: 1,
        chunk,
        funcs: Vec::new(),
        depth: 0,
        stack_base,
        stack_budget,
    };
    p.open_function(true);
    let body = p.block()?;
    if p.tok.tok != Tok::Eof {
        return Err(p.error_expected(&Tok::Eof));
    }
    Ok(Rc::new(p.close_function(body)))
}

fn lex_error(chunk: &ChunkName, e: LexError) -> LuaError {
    LuaError::Syntax(format!(
        "{}:{}: {} near '{}'",
        chunk.display, e.line, e.message, e.near
    ))
}

struct BlockScope {
    active_len: usize,
    is_loop: bool,
}

/// Per-function parsing state.
struct FuncState {
    vars: Vec<VarInfo>,
    /// Locals in scope, innermost last; a local's slot is its position here.
    active: Vec<VarId>,
    blocks: Vec<BlockScope>,
    upvals: Vec<UpvalSource>,
    upval_names: Vec<Rc<str>>,
    is_vararg: bool,
    max_slots: usize,
}

enum Resolved {
    Local(VarId),
    Upval(u16),
    Global,
}

struct Parser<'s> {
    lex: Lexer<'s>,
    tok: Token,
    ahead: Option<Token>,
    prev_line: u32,
    chunk: Rc<ChunkName>,
    funcs: Vec<FuncState>,
    depth: usize,
    /// The nesting limit alone does not bound the Rust stack in unoptimised builds, whose frames
    /// are large, so the stack actually used is checked too.
    stack_base: usize,
    stack_budget: usize,
}

type PResult<T> = Result<T, LuaError>;

fn binop(tok: &Tok) -> Option<(BinOp, u8, u8)> {
    // (operator, left priority, right priority); right < left makes it right associative.
    Some(match tok {
        Tok::Plus => (BinOp::Add, 6, 6),
        Tok::Minus => (BinOp::Sub, 6, 6),
        Tok::Star => (BinOp::Mul, 7, 7),
        Tok::Slash => (BinOp::Div, 7, 7),
        Tok::Percent => (BinOp::Mod, 7, 7),
        Tok::Caret => (BinOp::Pow, 10, 9),
        Tok::Concat => (BinOp::Concat, 5, 4),
        Tok::Eq => (BinOp::Eq, 3, 3),
        Tok::Ne => (BinOp::Ne, 3, 3),
        Tok::Lt => (BinOp::Lt, 3, 3),
        Tok::Le => (BinOp::Le, 3, 3),
        Tok::Gt => (BinOp::Gt, 3, 3),
        Tok::Ge => (BinOp::Ge, 3, 3),
        // `and`/`or` are short-circuit and get their own nodes; the operator here is a placeholder.
        Tok::And => (BinOp::Eq, 2, 2),
        Tok::Or => (BinOp::Eq, 1, 1),
        _ => return None,
    })
}

impl<'s> Parser<'s> {
    // ---- tokens and errors ----

    fn token_text(&self) -> String {
        match &self.tok.tok {
            Tok::Eof => "<eof>".to_string(),
            Tok::Name(_) | Tok::Str(_) | Tok::Num(_) => {
                let src = self.lex.source();
                String::from_utf8_lossy(&src[self.tok.start..self.tok.end.min(src.len())])
                    .into_owned()
            }
            other => other.symbol().to_string(),
        }
    }

    fn error(&self, msg: &str) -> LuaError {
        LuaError::Syntax(format!(
            "{}:{}: {} near '{}'",
            self.chunk.display,
            self.tok.line,
            msg,
            self.token_text()
        ))
    }

    fn error_expected(&self, tok: &Tok) -> LuaError {
        self.error(&format!("'{}' expected", tok.symbol()))
    }

    fn advance(&mut self) -> PResult<()> {
        self.prev_line = self.tok.line;
        self.tok = match self.ahead.take() {
            Some(t) => t,
            None => self
                .lex
                .next_token()
                .map_err(|e| lex_error(&self.chunk, e))?,
        };
        Ok(())
    }

    fn peek_ahead(&mut self) -> PResult<&Tok> {
        if self.ahead.is_none() {
            let t = self
                .lex
                .next_token()
                .map_err(|e| lex_error(&self.chunk, e))?;
            self.ahead = Some(t);
        }
        Ok(self.ahead.as_ref().map_or(&Tok::Eof, |t| &t.tok))
    }

    fn test_next(&mut self, tok: &Tok) -> PResult<bool> {
        if &self.tok.tok == tok {
            self.advance()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn expect(&mut self, tok: &Tok) -> PResult<()> {
        if self.test_next(tok)? {
            Ok(())
        } else {
            Err(self.error_expected(tok))
        }
    }

    /// Expects the token closing a construct opened by `who` at `line`, naming that line when the
    /// construct spans several lines.
    fn check_match(&mut self, what: &Tok, who: &Tok, line: u32) -> PResult<()> {
        if self.test_next(what)? {
            return Ok(());
        }
        if line == self.tok.line {
            Err(self.error_expected(what))
        } else {
            Err(self.error(&format!(
                "'{}' expected (to close '{}' at line {})",
                what.symbol(),
                who.symbol(),
                line
            )))
        }
    }

    fn check_name(&mut self) -> PResult<Rc<str>> {
        if let Tok::Name(n) = &self.tok.tok {
            let n = n.clone();
            self.advance()?;
            Ok(n)
        } else {
            Err(self.error("<name> expected"))
        }
    }

    fn enter_level(&mut self) -> PResult<()> {
        self.depth += 1;
        let marker = 0u8;
        let here = std::hint::black_box(&marker) as *const u8 as usize;
        if self.depth > MAX_DEPTH || here.abs_diff(self.stack_base) > self.stack_budget {
            return Err(LuaError::Syntax(format!(
                "{}:{}: chunk has too many syntax levels",
                self.chunk.display, self.tok.line
            )));
        }
        Ok(())
    }

    // ---- scopes ----

    fn fs(&mut self) -> &mut FuncState {
        // The stack always holds the function being parsed while parsing runs.
        let last = self.funcs.len() - 1;
        &mut self.funcs[last]
    }

    fn open_function(&mut self, is_vararg: bool) {
        self.funcs.push(FuncState {
            vars: Vec::new(),
            active: Vec::new(),
            blocks: Vec::new(),
            upvals: Vec::new(),
            upval_names: Vec::new(),
            is_vararg,
            max_slots: 0,
        });
    }

    fn close_function(&mut self, body: Vec<Stmt>) -> Proto {
        let fs = self.funcs.pop().unwrap_or_else(|| FuncState {
            vars: Vec::new(),
            active: Vec::new(),
            blocks: Vec::new(),
            upvals: Vec::new(),
            upval_names: Vec::new(),
            is_vararg: true,
            max_slots: 0,
        });
        Proto {
            chunk: self.chunk.clone(),
            num_params: 0,
            is_vararg: fs.is_vararg,
            has_cells: fs.vars.iter().any(|v| v.captured),
            vars: fs.vars,
            num_slots: fs.max_slots,
            upvals: fs.upvals,
            upval_names: fs.upval_names,
            body,
        }
    }

    fn enter_block(&mut self, is_loop: bool) {
        let fs = self.fs();
        let active_len = fs.active.len();
        fs.blocks.push(BlockScope {
            active_len,
            is_loop,
        });
    }

    fn leave_block(&mut self) {
        let fs = self.fs();
        if let Some(b) = fs.blocks.pop() {
            fs.active.truncate(b.active_len);
        }
    }

    /// Brings a new local into scope in the next free slot.
    fn activate(&mut self, name: Rc<str>) -> PResult<VarId> {
        let fs = self.fs();
        if fs.active.len() >= MAX_LOCALS || fs.vars.len() >= usize::from(u16::MAX) {
            return Err(self.error("too many local variables"));
        }
        let fs = self.fs();
        let slot = fs.active.len();
        let id = fs.vars.len() as VarId;
        fs.vars.push(VarInfo {
            name,
            slot: slot as u16,
            captured: false,
        });
        fs.active.push(id);
        fs.max_slots = fs.max_slots.max(slot + 1);
        Ok(id)
    }

    fn resolve(&mut self, level: usize, name: &str) -> PResult<Resolved> {
        let fs = &self.funcs[level];
        if let Some(&v) = fs
            .active
            .iter()
            .rev()
            .find(|&&v| &*fs.vars[v as usize].name == name)
        {
            return Ok(Resolved::Local(v));
        }
        if let Some(i) = fs.upval_names.iter().position(|n| &**n == name) {
            return Ok(Resolved::Upval(i as u16));
        }
        if level == 0 {
            return Ok(Resolved::Global);
        }
        let source = match self.resolve(level - 1, name)? {
            Resolved::Local(v) => {
                self.funcs[level - 1].vars[v as usize].captured = true;
                UpvalSource::Local(v)
            }
            Resolved::Upval(i) => UpvalSource::Upval(i),
            Resolved::Global => return Ok(Resolved::Global),
        };
        if self.funcs[level].upvals.len() >= MAX_UPVALUES {
            return Err(self.error("too many upvalues"));
        }
        let fs = &mut self.funcs[level];
        fs.upvals.push(source);
        fs.upval_names.push(Rc::from(name));
        Ok(Resolved::Upval((fs.upvals.len() - 1) as u16))
    }

    fn single_var(&mut self, name: Rc<str>, line: u32) -> PResult<Expr> {
        let level = self.funcs.len() - 1;
        Ok(match self.resolve(level, &name)? {
            Resolved::Local(v) => Expr::Local(v),
            Resolved::Upval(i) => Expr::Upval(i),
            Resolved::Global => Expr::Global(Value::string(name.as_bytes()), line),
        })
    }

    // ---- statements ----

    fn block_follow(&self) -> bool {
        matches!(
            self.tok.tok,
            Tok::Else | Tok::Elseif | Tok::End | Tok::Until | Tok::Eof
        )
    }

    fn block(&mut self) -> PResult<Vec<Stmt>> {
        self.enter_level()?;
        let mut stmts = Vec::new();
        while !self.block_follow() {
            match self.tok.tok {
                Tok::Return => {
                    self.advance()?;
                    let exprs = if self.block_follow() || self.tok.tok == Tok::Semi {
                        Vec::new()
                    } else {
                        self.expr_list()?
                    };
                    self.test_next(&Tok::Semi)?;
                    stmts.push(Stmt::Return(exprs));
                    break;
                }
                Tok::Break => {
                    self.advance()?;
                    if !self.fs().blocks.iter().any(|b| b.is_loop) {
                        return Err(self.error("no loop to break"));
                    }
                    self.test_next(&Tok::Semi)?;
                    stmts.push(Stmt::Break);
                    break;
                }
                _ => {
                    let s = self.statement()?;
                    stmts.push(s);
                    self.test_next(&Tok::Semi)?;
                }
            }
        }
        self.depth -= 1;
        Ok(stmts)
    }

    fn scoped_block(&mut self, is_loop: bool) -> PResult<Vec<Stmt>> {
        self.enter_block(is_loop);
        let b = self.block();
        self.leave_block();
        b
    }

    fn statement(&mut self) -> PResult<Stmt> {
        let line = self.tok.line;
        match self.tok.tok {
            Tok::If => self.if_stat(line),
            Tok::While => self.while_stat(line),
            Tok::Do => self.do_stat(line),
            Tok::For => self.for_stat(line),
            Tok::Repeat => self.repeat_stat(line),
            Tok::Function => self.func_stat(line),
            Tok::Local => self.local_stat(line),
            _ => self.expr_stat(),
        }
    }

    fn while_stat(&mut self, line: u32) -> PResult<Stmt> {
        self.advance()?;
        let cond = self.expr()?;
        self.expect(&Tok::Do)?;
        let body = self.scoped_block(true)?;
        self.check_match(&Tok::End, &Tok::While, line)?;
        Ok(Stmt::While { cond, body, line })
    }

    fn do_stat(&mut self, line: u32) -> PResult<Stmt> {
        self.advance()?;
        let body = self.scoped_block(false)?;
        self.check_match(&Tok::End, &Tok::Do, line)?;
        Ok(Stmt::Do(body))
    }

    fn repeat_stat(&mut self, line: u32) -> PResult<Stmt> {
        self.advance()?;
        // `until` is inside the body's scope so it can see the body's locals.
        self.enter_block(true);
        let body = self.block();
        let rest = match body {
            Ok(body) => self
                .check_match(&Tok::Until, &Tok::Repeat, line)
                .and_then(|()| {
                    let cond = self.expr()?;
                    Ok(Stmt::Repeat { body, cond, line })
                }),
            Err(e) => Err(e),
        };
        self.leave_block();
        rest
    }

    fn if_stat(&mut self, line: u32) -> PResult<Stmt> {
        let mut arms = Vec::new();
        let mut otherwise = None;
        loop {
            // Consumes `if` or `elseif`.
            self.advance()?;
            let cond = self.expr()?;
            self.expect(&Tok::Then)?;
            let body = self.scoped_block(false)?;
            arms.push((cond, body));
            if self.tok.tok != Tok::Elseif {
                break;
            }
        }
        if self.test_next(&Tok::Else)? {
            otherwise = Some(self.scoped_block(false)?);
        }
        self.check_match(&Tok::End, &Tok::If, line)?;
        Ok(Stmt::If { arms, otherwise })
    }

    fn for_stat(&mut self, line: u32) -> PResult<Stmt> {
        self.advance()?;
        let first = self.check_name()?;
        let stmt = match self.tok.tok {
            Tok::Assign => {
                self.advance()?;
                let start = self.expr()?;
                self.expect(&Tok::Comma)?;
                let limit = self.expr()?;
                let step = if self.test_next(&Tok::Comma)? {
                    Some(self.expr()?)
                } else {
                    None
                };
                self.expect(&Tok::Do)?;
                self.enter_block(true);
                let var = self.activate(first)?;
                let body = self.block();
                self.leave_block();
                Stmt::NumFor(Box::new(NumFor {
                    var,
                    start,
                    limit,
                    step,
                    body: body?,
                    line,
                }))
            }
            Tok::Comma | Tok::In => {
                let mut names = vec![first];
                while self.test_next(&Tok::Comma)? {
                    names.push(self.check_name()?);
                }
                self.expect(&Tok::In)?;
                let exprs = self.expr_list()?;
                self.expect(&Tok::Do)?;
                self.enter_block(true);
                let mut vars = Vec::with_capacity(names.len());
                for n in names {
                    vars.push(self.activate(n)?);
                }
                let body = self.block();
                self.leave_block();
                Stmt::GenFor(Box::new(GenFor {
                    vars,
                    exprs,
                    body: body?,
                    line,
                }))
            }
            _ => return Err(self.error("'=' or 'in' expected")),
        };
        self.check_match(&Tok::End, &Tok::For, line)?;
        Ok(stmt)
    }

    fn func_stat(&mut self, line: u32) -> PResult<Stmt> {
        self.advance()?;
        let name_line = self.tok.line;
        let name = self.check_name()?;
        let mut target = self.single_var(name, name_line)?;
        let mut is_method = false;
        loop {
            let key_line = self.tok.line;
            match self.tok.tok {
                Tok::Dot | Tok::Colon => {
                    is_method = self.tok.tok == Tok::Colon;
                    self.advance()?;
                    let key = self.check_name()?;
                    let key = Expr::Str(Value::string(key.as_bytes()));
                    target = Expr::Index(Box::new((target, key)), key_line);
                    if is_method {
                        break;
                    }
                }
                _ => break,
            }
        }
        let proto = self.body(is_method, line)?;
        let target = self.to_target(target)?;
        Ok(Stmt::Assign {
            targets: vec![target],
            exprs: vec![Expr::Function(proto)],
        })
    }

    fn local_stat(&mut self, line: u32) -> PResult<Stmt> {
        self.advance()?;
        if self.test_next(&Tok::Function)? {
            let name = self.check_name()?;
            let var = self.activate(name)?;
            let proto = self.body(false, line)?;
            return Ok(Stmt::LocalFunction { var, proto });
        }
        let mut names = vec![self.check_name()?];
        while self.test_next(&Tok::Comma)? {
            names.push(self.check_name()?);
        }
        let exprs = if self.test_next(&Tok::Assign)? {
            self.expr_list()?
        } else {
            Vec::new()
        };
        // The new locals come into scope only after their initialisers (`local x = x`).
        let mut vars = Vec::with_capacity(names.len());
        for n in names {
            vars.push(self.activate(n)?);
        }
        Ok(Stmt::Local { vars, exprs })
    }

    fn to_target(&self, e: Expr) -> PResult<Target> {
        Ok(match e {
            Expr::Local(v) => Target::Local(v),
            Expr::Upval(i) => Target::Upval(i),
            Expr::Global(name, line) => Target::Global(name, line),
            Expr::Index(b, line) => {
                let (obj, key) = *b;
                Target::Index(obj, key, line)
            }
            _ => return Err(self.error("syntax error")),
        })
    }

    fn expr_stat(&mut self) -> PResult<Stmt> {
        let e = self.suffixed_expr()?;
        if matches!(e, Expr::Call(_) | Expr::Method(_)) {
            return Ok(Stmt::Call(e));
        }
        // Anything else must be the start of an assignment.
        let mut targets = vec![self.to_target(e)?];
        while self.test_next(&Tok::Comma)? {
            let e = self.suffixed_expr()?;
            targets.push(self.to_target(e)?);
        }
        self.expect(&Tok::Assign)?;
        let exprs = self.expr_list()?;
        Ok(Stmt::Assign { targets, exprs })
    }

    // ---- functions ----

    fn body(&mut self, is_method: bool, line: u32) -> PResult<Rc<Proto>> {
        self.open_function(false);
        self.enter_block(false);
        if is_method {
            self.activate(Rc::from("self"))?;
        }
        self.expect(&Tok::LParen)?;
        if self.tok.tok != Tok::RParen {
            loop {
                match &self.tok.tok {
                    Tok::Name(n) => {
                        let n = n.clone();
                        self.advance()?;
                        self.activate(n)?;
                    }
                    Tok::Dots => {
                        self.advance()?;
                        self.fs().is_vararg = true;
                        break;
                    }
                    _ => return Err(self.error("<name> expected")),
                }
                if !self.test_next(&Tok::Comma)? {
                    break;
                }
            }
        }
        let num_params = self.fs().active.len();
        self.expect(&Tok::RParen)?;
        let body = self.block()?;
        self.check_match(&Tok::End, &Tok::Function, line)?;
        let mut proto = self.close_function(body);
        proto.num_params = num_params;
        Ok(Rc::new(proto))
    }

    // ---- expressions ----

    fn expr_list(&mut self) -> PResult<Vec<Expr>> {
        let mut list = vec![self.expr()?];
        while self.test_next(&Tok::Comma)? {
            list.push(self.expr()?);
        }
        Ok(list)
    }

    fn expr(&mut self) -> PResult<Expr> {
        self.sub_expr(0)
    }

    fn sub_expr(&mut self, limit: u8) -> PResult<Expr> {
        self.enter_level()?;
        let mut levels = 1;
        let mut e = self.unary_expr();
        while let Ok(lhs) = e {
            let Some((op, left, right)) = binop(&self.tok.tok) else {
                e = Ok(lhs);
                break;
            };
            if left <= limit {
                e = Ok(lhs);
                break;
            }
            levels += 1;
            e = self.binary_rest(lhs, op, right);
        }
        self.depth -= levels;
        e
    }

    fn unary_expr(&mut self) -> PResult<Expr> {
        let line = self.tok.line;
        match self.tok.tok {
            Tok::Not => {
                self.advance()?;
                Ok(Expr::Not(Box::new(self.sub_expr(UNARY_PRIORITY)?)))
            }
            Tok::Minus => {
                self.advance()?;
                Ok(match self.sub_expr(UNARY_PRIORITY)? {
                    Expr::Num(n) => Expr::Num(-n),
                    other => Expr::Neg(Box::new(other), line),
                })
            }
            Tok::Hash => {
                self.advance()?;
                Ok(Expr::Len(Box::new(self.sub_expr(UNARY_PRIORITY)?), line))
            }
            _ => self.simple_expr(),
        }
    }

    /// Parses the operator at the current token and its right operand.
    fn binary_rest(&mut self, lhs: Expr, op: BinOp, right: u8) -> PResult<Expr> {
        let tok = self.tok.tok.clone();
        let line = self.tok.line;
        self.advance()?;
        // A long left-associative chain builds a deep tree, so each link counts as a level
        // (the caller gives the level back).
        self.enter_level()?;
        let rhs = self.sub_expr(right)?;
        let pair = Box::new((lhs, rhs));
        Ok(match tok {
            Tok::And => Expr::And(pair),
            Tok::Or => Expr::Or(pair),
            _ => Expr::Bin(op, pair, line),
        })
    }

    fn simple_expr(&mut self) -> PResult<Expr> {
        let e = match &self.tok.tok {
            Tok::Num(n) => Expr::Num(*n),
            Tok::Str(s) => Expr::Str(Value::String(s.clone())),
            Tok::Nil => Expr::Nil,
            Tok::True => Expr::True,
            Tok::False => Expr::False,
            Tok::Dots => {
                if !self.fs().is_vararg {
                    return Err(self.error("cannot use '...' outside a vararg function"));
                }
                Expr::Vararg
            }
            Tok::LBrace => return self.constructor(),
            Tok::Function => {
                let line = self.tok.line;
                self.advance()?;
                return Ok(Expr::Function(self.body(false, line)?));
            }
            _ => return self.suffixed_expr(),
        };
        self.advance()?;
        Ok(e)
    }

    fn primary_expr(&mut self) -> PResult<Expr> {
        let line = self.tok.line;
        match &self.tok.tok {
            Tok::Name(n) => {
                let n = n.clone();
                self.advance()?;
                self.single_var(n, line)
            }
            Tok::LParen => {
                self.advance()?;
                let e = self.expr()?;
                self.check_match(&Tok::RParen, &Tok::LParen, line)?;
                // Kept for multiple results (truncated to one) and for variables, which stop
                // being assignable.
                let keep = e.is_multi()
                    || matches!(
                        e,
                        Expr::Local(_) | Expr::Upval(_) | Expr::Global(..) | Expr::Index(..)
                    );
                Ok(if keep { Expr::Paren(Box::new(e)) } else { e })
            }
            _ => Err(self.error("unexpected symbol")),
        }
    }

    fn suffixed_expr(&mut self) -> PResult<Expr> {
        let mut e = self.primary_expr();
        let mut levels = 0;
        while let Ok(prefix) = e {
            if !matches!(
                self.tok.tok,
                Tok::Dot | Tok::LBracket | Tok::Colon | Tok::LParen | Tok::Str(_) | Tok::LBrace
            ) {
                e = Ok(prefix);
                break;
            }
            // Long suffix chains build deep trees too.
            levels += 1;
            e = self.enter_level().and_then(|()| self.suffix(prefix));
        }
        self.depth -= levels;
        e
    }

    fn suffix(&mut self, e: Expr) -> PResult<Expr> {
        let line = self.tok.line;
        Ok(match self.tok.tok {
            Tok::Dot => {
                self.advance()?;
                let name = self.check_name()?;
                Expr::Index(
                    Box::new((e, Expr::Str(Value::string(name.as_bytes())))),
                    line,
                )
            }
            Tok::LBracket => {
                self.advance()?;
                let key = self.expr()?;
                self.expect(&Tok::RBracket)?;
                Expr::Index(Box::new((e, key)), line)
            }
            Tok::Colon => {
                self.advance()?;
                let name = self.check_name()?;
                let line = self.tok.line;
                let args = self.call_args()?;
                let name = Value::string(name.as_bytes());
                Expr::Method(Box::new(MethodCall {
                    obj: e,
                    name,
                    args,
                    line,
                }))
            }
            _ => {
                let args = self.call_args()?;
                Expr::Call(Box::new(Call {
                    func: e,
                    args,
                    line,
                }))
            }
        })
    }

    fn call_args(&mut self) -> PResult<Vec<Expr>> {
        let line = self.tok.line;
        match &self.tok.tok {
            Tok::LParen => {
                if line != self.prev_line {
                    return Err(self.error("ambiguous syntax (function call x new statement)"));
                }
                self.advance()?;
                let args = if self.tok.tok == Tok::RParen {
                    Vec::new()
                } else {
                    self.expr_list()?
                };
                self.check_match(&Tok::RParen, &Tok::LParen, line)?;
                Ok(args)
            }
            Tok::LBrace => Ok(vec![self.constructor()?]),
            Tok::Str(s) => {
                let s = Value::String(s.clone());
                self.advance()?;
                Ok(vec![Expr::Str(s)])
            }
            _ => Err(self.error("function arguments expected")),
        }
    }

    fn constructor(&mut self) -> PResult<Expr> {
        let line = self.tok.line;
        self.expect(&Tok::LBrace)?;
        let mut items = Vec::new();
        while self.tok.tok != Tok::RBrace {
            let item = match &self.tok.tok {
                Tok::Name(n) => {
                    let n = n.clone();
                    if self.peek_ahead()? == &Tok::Assign {
                        self.advance()?;
                        self.advance()?;
                        TableItem::Keyed(Expr::Str(Value::string(n.as_bytes())), self.expr()?)
                    } else {
                        TableItem::Positional(self.expr()?)
                    }
                }
                Tok::LBracket => {
                    self.advance()?;
                    let k = self.expr()?;
                    self.expect(&Tok::RBracket)?;
                    self.expect(&Tok::Assign)?;
                    TableItem::Keyed(k, self.expr()?)
                }
                _ => TableItem::Positional(self.expr()?),
            };
            items.push(item);
            if !self.test_next(&Tok::Comma)? && !self.test_next(&Tok::Semi)? {
                break;
            }
        }
        self.check_match(&Tok::RBrace, &Tok::LBrace, line)?;
        Ok(Expr::Table(Box::new(TableCons { items, line })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(src: &str) -> String {
        match parse_chunk("@user_script", src.as_bytes(), usize::MAX) {
            Err(LuaError::Syntax(s)) => s,
            Err(other) => panic!("unexpected error {other:?}"),
            Ok(_) => panic!("no error for {src:?}"),
        }
    }

    #[test]
    fn syntax_error_messages() {
        assert_eq!(
            err("if true then"),
            "user_script:1: 'end' expected near '<eof>'"
        );
        assert_eq!(err("x = = 1"), "user_script:1: unexpected symbol near '='");
        assert_eq!(
            err("local x = 'abc"),
            "user_script:1: unfinished string near '<eof>'"
        );
        assert_eq!(
            err("return 1 +"),
            "user_script:1: unexpected symbol near '<eof>'"
        );
        assert_eq!(
            err("local function f()\nreturn 1"),
            "user_script:2: 'end' expected (to close 'function' at line 1) near '<eof>'"
        );
        assert_eq!(err("x"), "user_script:1: '=' expected near '<eof>'");
        assert_eq!(err("(x) = 1"), "user_script:1: syntax error near '='");
        assert_eq!(
            err("local t = {} t.x end"),
            "user_script:1: '=' expected near 'end'"
        );
        assert_eq!(err("break"), "user_script:1: no loop to break near '<eof>'");
        assert_eq!(
            err("function f() return ... end"),
            "user_script:1: cannot use '...' outside a vararg function near '...'"
        );
        assert_eq!(
            err("return 1 2"),
            "user_script:1: '<eof>' expected near '2'"
        );
        assert_eq!(
            err("f\n(1)"),
            "user_script:2: ambiguous syntax (function call x new statement) near '('"
        );
        assert_eq!(
            err("for i do end"),
            "user_script:1: '=' or 'in' expected near 'do'"
        );
        assert_eq!(
            err("x = 3..2"),
            "user_script:1: malformed number near '3..2'"
        );
    }

    #[test]
    fn nesting_is_limited() {
        let deep = format!("return {}1{}", "(".repeat(300), ")".repeat(300));
        assert!(err(&deep).contains("too many syntax levels"));
        let chain = format!("return 1{}", " + 1".repeat(300));
        assert!(err(&chain).contains("too many syntax levels"));
        let ok = format!("return {}1{}", "(".repeat(50), ")".repeat(50));
        assert!(parse_chunk("x", ok.as_bytes(), usize::MAX).is_ok());
    }

    #[test]
    fn locals_resolve_to_slots_and_captures() {
        let p = parse_chunk(
            "x",
            b"local a, b = 1, 2 do local c end local d local function f() return a end",
            usize::MAX,
        )
        .unwrap();
        let slots: Vec<u16> = p.vars.iter().map(|v| v.slot).collect();
        assert_eq!(slots, vec![0, 1, 2, 2, 3]);
        assert!(p.vars[0].captured);
        assert!(!p.vars[1].captured);
        assert_eq!(p.num_slots, 4);
    }
}
