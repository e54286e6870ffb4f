//! End-to-end behaviour of the interpreter as a Redis scripting engine, with a mock host.

use std::collections::VecDeque;
use std::rc::Rc;

use bytes::Bytes;
use lua::{Function, Host, Lua, LuaError, Reply, Value};

/// Records what the script asked for and answers with canned replies.
#[derive(Default)]
struct MockHost {
    calls: Vec<Vec<Bytes>>,
    replies: VecDeque<Reply>,
    logs: Vec<(i64, Vec<u8>)>,
    repl: Vec<i64>,
    abort_checks: usize,
    abort_after: Option<usize>,
}

impl MockHost {
    fn with_replies(replies: Vec<Reply>) -> MockHost {
        MockHost {
            replies: replies.into(),
            ..MockHost::default()
        }
    }
}

impl Host for MockHost {
    fn call(&mut self, args: Vec<Bytes>, _resp: u8) -> Reply {
        self.calls.push(args);
        self.replies
            .pop_front()
            .unwrap_or(Reply::Status(Bytes::from_static(b"OK")))
    }

    fn check_abort(&mut self) -> Option<String> {
        self.abort_checks += 1;
        match self.abort_after {
            Some(n) if self.abort_checks >= n => Some("BUSY script killed".to_string()),
            _ => None,
        }
    }

    fn log(&mut self, level: i64, message: &[u8]) {
        self.logs.push((level, message.to_vec()));
    }

    fn set_repl(&mut self, flags: i64) -> Result<(), String> {
        if flags == 1 {
            return Err("ERR AOF only is not allowed here".to_string());
        }
        self.repl.push(flags);
        Ok(())
    }
}

fn run_with(lua: &mut Lua, host: &mut MockHost, src: &str) -> Result<Vec<Value>, LuaError> {
    let f = lua.load("@user_script", src.as_bytes())?;
    lua.call(&f, Vec::new(), host)
}

fn run(src: &str) -> Result<Vec<Value>, LuaError> {
    run_with(&mut Lua::new(), &mut MockHost::default(), src)
}

/// `tostring` of every returned value.
fn show(values: &[Value]) -> Vec<String> {
    values
        .iter()
        .map(|v| String::from_utf8_lossy(&v.to_display_bytes()).into_owned())
        .collect()
}

fn ok(src: &str) -> Vec<String> {
    match run(src) {
        Ok(v) => show(&v),
        Err(e) => panic!("script failed: {e}\n{src}"),
    }
}

fn err(src: &str) -> String {
    match run(src) {
        Ok(v) => panic!("script succeeded with {:?}\n{src}", show(&v)),
        Err(e) => e.to_string(),
    }
}

fn reply(src: &str) -> Reply {
    let mut lua = Lua::new();
    let v = run_with(&mut lua, &mut MockHost::default(), src).unwrap();
    lua.to_reply(v.first().unwrap_or(&Value::Nil))
}

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

// ---- language ----

#[test]
fn arithmetic_and_precedence() {
    assert_eq!(
        ok("return 2+3*4, (2+3)*4, 2^3^2, -2^2, 7 % 3, -7 % 3, 7 / 2, 1 - -1, 2 * -3 ^ 2"),
        ["14", "20", "512", "-4", "1", "2", "3.5", "2", "-18"]
    );
    assert_eq!(
        ok("return '10' + 5, '0x10' * 1, 10 .. 20, 1 .. '', '3' ^ 2"),
        ["15", "16", "1020", "1", "9"]
    );
    assert_eq!(
        ok("return 1 < 2, 'a' < 'b', 'a' < 'B', 1 == 1.0, 'x' == 'x', {} == {}, not nil, 1 ~= 2"),
        [
            "true", "true", "false", "true", "true", "false", "true", "true"
        ]
    );
    assert_eq!(
        ok("return 1 and 2, nil and 1, false or 'x', nil or false, 1 or error('no')"),
        ["2", "nil", "x", "false", "1"]
    );
    assert_eq!(
        ok("return 'a' .. 'b' .. 'c' == 'abc', 1 + 2 .. '', #'abc' + 1"),
        ["true", "3", "4"]
    );
    assert_eq!(
        ok("return 1/0, -1/0, 0x7fffffff, 1e3, .5, 3e-2"),
        ["inf", "-inf", "2147483647", "1000", "0.5", "0.03"]
    );
}

#[test]
fn string_escapes_and_long_strings() {
    let v = run(r#"return "a\tb\n\\\"\'\65\066\0z", [[
line1
line2]], [==[x]]y]==], 'q\
r'"#)
    .unwrap();
    assert_eq!(v[0].as_bytes().unwrap(), b"a\tb\n\\\"'AB\0z");
    assert_eq!(v[1].as_bytes().unwrap(), b"line1\nline2");
    assert_eq!(v[2].as_bytes().unwrap(), b"x]]y");
    assert_eq!(v[3].as_bytes().unwrap(), b"q\nr");
    assert_eq!(
        ok("return #'\\0\\1\\2', '\\a\\b\\f\\v\\r' == string.char(7, 8, 12, 11, 13)"),
        ["3", "true"]
    );
    assert_eq!(
        ok("-- comment\n--[[ long\ncomment ]] return 1 --[==[ x ]==]"),
        ["1"]
    );
}

#[test]
fn closures_share_upvalues_by_reference() {
    let src = "
        local function counter()
            local n = 0
            return function() n = n + 1; return n end, function() return n end
        end
        local inc, get = counter()
        local inc2 = counter()
        inc(); inc(); inc2()
        return get(), inc2()";
    assert_eq!(ok(src), ["2", "2"]);
    let loops = "
        local fs = {}
        for i = 1, 3 do fs[i] = function() return i end end
        local ws = {}
        local j = 0
        while j < 3 do j = j + 1; local k = j * 10; ws[j] = function() return k end end
        return fs[1](), fs[3](), ws[1](), ws[3]()";
    assert_eq!(ok(loops), ["1", "3", "10", "30"]);
    let nested = "
        local a = 1
        local function f() local function g() a = a + 1 return a end return g() end
        f()
        return a, f()";
    assert_eq!(ok(nested), ["2", "3"]);
    assert_eq!(
        ok(
            "local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end return fact(10)"
        ),
        ["3628800"]
    );
}

#[test]
fn varargs_and_select() {
    let src = "
        local function f(...) return select('#', ...), select(2, ...) end
        local function g(a, ...) local t = {...} return a, #t, ... end
        return f(1, nil, 3), g(9, 8, 7)";
    // Only the last call in a list expands to all its values.
    assert_eq!(ok(src), ["3", "9", "2", "8", "7"]);
    assert_eq!(
        ok("local function f(...) return select('#', ...), select(2, ...) end return f(1, nil, 3)"),
        ["3", "nil", "3"]
    );
    assert_eq!(ok("return select(-1, 'a', 'b', 'c')"), ["c"]);
    assert!(
        err("return select(0, 1)").contains("bad argument #1 to 'select' (index out of range)")
    );
    assert_eq!(
        ok("local function f(...) return ... end return (f(1, 2, 3))"),
        ["1"]
    );
    assert_eq!(ok("return ...").len(), 0);
    assert!(
        err("function f() return ... end").contains("cannot use '...' outside a vararg function")
    );
}

#[test]
fn multiple_assignment_and_returns() {
    assert_eq!(ok("local a, b, c = 1, 2 return a, b, c"), ["1", "2", "nil"]);
    assert_eq!(ok("local a, b = 1, 2 a, b = b, a return a, b"), ["2", "1"]);
    assert_eq!(
        ok("local function f() return 1, 2, 3 end local a, b, c, d = f() return d, c, b, a"),
        ["nil", "3", "2", "1"]
    );
    assert_eq!(
        ok("local function f() return 1, 2 end local t = {f(), f()} return #t"),
        ["3"]
    );
    assert_eq!(
        ok("local function f() return 1, 2 end local t = {f(), (f())} return #t"),
        ["2"]
    );
    assert_eq!(
        ok("local i, t = 1, {} i, t[i] = i + 1, 20 return i, t[1], t[2]"),
        ["2", "20", "nil"]
    );
    assert_eq!(ok("x, y = 1 return x, y"), ["1", "nil"]);
    assert_eq!(
        ok("local t = {} t.a, t.b = 1, 2, 3 return t.a, t.b"),
        ["1", "2"]
    );
}

#[test]
fn numeric_and_generic_for() {
    assert_eq!(
        ok("local s = 0 for i = 1, 10 do s = s + i end return s"),
        ["55"]
    );
    assert_eq!(
        ok("local s = '' for i = 5, 1, -2 do s = s .. i end return s"),
        ["531"]
    );
    assert_eq!(
        ok("local n = 0 for i = 0, 1, 0.25 do n = n + 1 end return n"),
        ["5"]
    );
    assert_eq!(
        ok("local n = 0 for i = 1, 0 do n = n + 1 end return n"),
        ["0"]
    );
    assert_eq!(
        ok("local s = 0 for i, v in ipairs({10, 20, nil, 40}) do s = s + v end return s"),
        ["30"]
    );
    let pairs = "
        local t = {1, 2, x = 'a', y = 'b', [true] = 3}
        local keys = {}
        for k, v in pairs(t) do keys[#keys + 1] = tostring(k) .. '=' .. tostring(v) end
        table.sort(keys)
        return table.concat(keys, ',')";
    assert_eq!(ok(pairs), ["1=1,2=2,true=3,x=a,y=b"]);
    let next_loop =
        "local t = {a = 1, b = 2} local n = 0 for k, v in next, t do n = n + v end return n";
    assert_eq!(ok(next_loop), ["3"]);
    let custom = "
        local function range(n) local i = 0 return function() i = i + 1 if i <= n then return i end end end
        local s = 0 for i in range(4) do s = s + i end return s";
    assert_eq!(ok(custom), ["10"]);
    let clearing = "local t = {} for i = 1, 10 do t[i] = i; t['k' .. i] = i end
        for k in pairs(t) do t[k] = nil end return next(t)";
    assert_eq!(ok(clearing), ["nil"]);
    assert_eq!(
        ok(
            "for i = 1, 3 do if i == 2 then break end end local i = 0 repeat local j = i i = i + 1 until j >= 3 return i"
        ),
        ["4"]
    );
    assert!(err("for i = 'x', 2 do end").contains("'for' initial value must be a number"));
}

#[test]
fn control_flow() {
    let src = "
        local function classify(n)
            if n < 0 then return 'neg' elseif n == 0 then return 'zero' else return 'pos' end
        end
        local out = {}
        local i = -1
        while true do
            out[#out + 1] = classify(i)
            i = i + 1
            if i > 1 then break end
        end
        do local x = 5 out[#out + 1] = x end
        return table.concat(out, ' ')";
    assert_eq!(ok(src), ["neg zero pos 5"]);
}

#[test]
fn tables_and_length() {
    assert_eq!(
        ok("local t = {1, 2, 3; x = 1, ['y'] = 2, [10] = 3} return #t, t.x, t.y, t[10]"),
        ["3", "1", "2", "3"]
    );
    assert_eq!(
        ok("local t = {} t[1.0] = 'a' t[2] = 'b' return #t, t[1], t[2.0]"),
        ["2", "a", "b"]
    );
    assert_eq!(ok("local t = {1, 2, 3} t[#t] = nil return #t"), ["2"]);
    assert_eq!(
        ok("local t = {n = {m = {1}}} return t.n.m[1], #t.n.m"),
        ["1", "1"]
    );
    assert!(err("local t = {} t[nil] = 1").contains("table index is nil"));
    assert!(err("local t = {} t[0/0] = 1").contains("table index is NaN"));
    assert_eq!(ok("local t = {} return t[nil]"), ["nil"]);
}

#[test]
fn method_calls_and_string_metatable() {
    assert_eq!(
        ok("return ('x'):upper(), ('abc'):len(), ('%d'):format(5), ('a,b'):find(',')"),
        ["X", "3", "5", "2", "2"]
    );
    let obj = "
        local Account = {} Account.__index = Account
        function Account.new(b) return setmetatable({balance = b}, Account) end
        function Account:deposit(v) self.balance = self.balance + v end
        local a = Account.new(10) a:deposit(5)
        return a.balance, getmetatable(a) == Account";
    assert_eq!(ok(obj), ["15", "true"]);
    assert_eq!(ok("local s = 'hi' return s:rep(3, nil)"), ["hihihi"]);
    assert_eq!(
        ok("return type(getmetatable('').__index.upper)"),
        ["function"]
    );
}

#[test]
fn metatables() {
    let src = "
        local log = {}
        local proxy = setmetatable({}, {
            __index = function(t, k) return k .. '!' end,
            __newindex = function(t, k, v) log[#log + 1] = k rawset(t, k, v) end,
        })
        proxy.a = 1
        local base = setmetatable({}, {__index = {inherited = 'yes'}})
        return proxy.zzz, proxy.a, log[1], base.inherited, rawget(base, 'inherited')";
    assert_eq!(ok(src), ["zzz!", "1", "a", "yes", "nil"]);
    let ops = "
        local V = {}
        V.__index = V
        V.__add = function(a, b) return setmetatable({x = a.x + b.x}, V) end
        V.__eq = function(a, b) return a.x == b.x end
        V.__lt = function(a, b) return a.x < b.x end
        V.__le = function(a, b) return a.x <= b.x end
        V.__tostring = function(a) return 'V(' .. a.x .. ')' end
        V.__concat = function(a, b) return tostring(a) .. tostring(b) end
        V.__call = function(self, y) return self.x + y end
        V.__unm = function(a) return setmetatable({x = -a.x}, V) end
        local a, b = setmetatable({x = 1}, V), setmetatable({x = 2}, V)
        return tostring(a + b), a == setmetatable({x = 1}, V), a < b, b <= a, a .. b, a(10), tostring(-a)";
    assert_eq!(
        ok(ops),
        ["V(3)", "true", "true", "false", "V(1)V(2)", "11", "V(-1)"]
    );
    assert!(
        err("setmetatable(setmetatable({}, {__metatable = 1}), {})")
            .contains("cannot change a protected metatable")
    );
    assert_eq!(
        ok("return getmetatable(setmetatable({}, {__metatable = 'locked'}))"),
        ["locked"]
    );
}

// ---- standard library ----

#[test]
fn string_library() {
    assert_eq!(
        ok(
            "return string.len('abc'), string.sub('hello', 2, -2), string.sub('hello', -3), string.sub('hello', 0)"
        ),
        ["3", "ell", "llo", "hello"]
    );
    assert_eq!(
        ok(
            "return string.upper('aB1'), string.lower('aB1'), string.rep('ab', 3), string.rep('x', 0), string.reverse('abc')"
        ),
        ["AB1", "ab1", "ababab", "", "cba"]
    );
    assert_eq!(
        ok("return string.byte('ABC'), string.byte('ABC', 2, 3)"),
        ["65", "66", "67"]
    );
    assert_eq!(
        ok("return string.byte('ABC', -1), string.char(72, 105)"),
        ["67", "Hi"]
    );
    assert!(err("return string.char(256)").contains("bad argument #1 to 'char' (invalid value)"));
    assert!(
        err("return string.rep()")
            .contains("bad argument #1 to 'rep' (string expected, got no value)")
    );
    assert!(err("return string.rep('x', 1e10)").contains("too large"));
}

#[test]
fn string_patterns() {
    assert_eq!(ok("return string.find('hello world', 'o w')"), ["5", "7"]);
    assert_eq!(
        ok(
            "return string.find('hello', 'l', 1, true), string.find('a.b', '.', 1, true), string.find('a.b', '%.')"
        ),
        ["3", "2", "2", "2"]
    );
    assert_eq!(
        ok(
            "return string.find('hello', 'xyz'), string.find('hello', 'h', 10), string.find('hello', 'l', 4)"
        ),
        ["nil", "nil", "4", "4"]
    );
    assert_eq!(
        ok("return string.find('key = value', '(%w+)%s*=%s*(%w+)')"),
        ["1", "11", "key", "value"]
    );
    assert_eq!(
        ok("return string.match('2024-01-15', '(%d+)-(%d+)-(%d+)')"),
        ["2024", "01", "15"]
    );
    assert_eq!(
        ok(
            "return string.match('  trim  ', '^%s*(.-)%s*$'), string.match('abc', '^b'), string.match('abc', '()b()')"
        ),
        ["trim", "nil", "2", "3"]
    );
    assert_eq!(
        ok("return string.gsub('hello world', 'o', '0')"),
        ["hell0 w0rld", "2"]
    );
    assert_eq!(
        ok("return string.gsub('hello world', '(%w+)', '<%1>')"),
        ["<hello> <world>", "2"]
    );
    assert_eq!(
        ok("return string.gsub('abc', '%w', '%0%0', 2)"),
        ["aabbc", "2"]
    );
    assert_eq!(
        ok("return string.gsub('$name is $age', '%$(%w+)', {name = 'Bob', age = 42})"),
        ["Bob is 42", "2"]
    );
    assert_eq!(
        ok(
            "return string.gsub('a b c', '%a', function(c) if c ~= 'b' then return c:upper() end end)"
        ),
        ["A b C", "3"]
    );
    assert_eq!(ok("return string.gsub('abc', '', '-')"), ["-a-b-c-", "4"]);
    assert_eq!(ok("return string.gsub('hello', '^h', 'H')"), ["Hello", "1"]);
    assert_eq!(
        ok("return (string.gsub('f(a(b)c)', '%b()', '[]'))"),
        ["f[]"]
    );
    assert_eq!(
        ok("return (string.gsub('THE (quick) fox', '%f[%a]%a+', 'W'))"),
        ["W (W) W"]
    );
    let gmatch = "local words = {} for w in string.gmatch('one two  three', '%a+') do words[#words + 1] = w end
        local kv = {} for k, v in string.gmatch('a=1, b=2', '(%w+)=(%w+)') do kv[#kv + 1] = k .. v end
        return table.concat(words, '|'), table.concat(kv, '|')";
    assert_eq!(ok(gmatch), ["one|two|three", "a1|b2"]);
    assert!(err("return string.find('x', '[a')").contains("malformed pattern (missing ']')"));
    assert!(err("return string.gsub('x', 'x', true)").contains("bad argument #3 to 'gsub'"));
    assert!(err("return string.gsub('x', 'x', '%2')").contains("invalid capture index"));
}

#[test]
fn string_format() {
    assert_eq!(
        ok("return string.format('%d %5d %-5d| %05d %+d %i', 3.9, 42, 42, -42, 7, -3.2)"),
        ["3    42 42   | -0042 +7 -3"]
    );
    assert_eq!(
        ok(
            "return string.format('%5.2f|%.3f|%e|%g|%g|%g', 3.14159, 2, 12345.678, 1e20, 0.1, 100000)"
        ),
        [" 3.14|2.000|1.234568e+04|1e+20|0.1|100000"]
    );
    assert_eq!(
        ok("return string.format('%x %X %#x %o %c%c', 255, 255, 255, 8, 72, 105)"),
        ["ff FF 0xff 10 Hi"]
    );
    assert_eq!(
        ok("return string.format('%s|%10s|%-4s|%.2s|%%', 'abc', 'right', 'l', 'xyz')"),
        ["abc|     right|l   |xy|%"]
    );
    assert_eq!(
        ok("return string.format('%q', 'a\\nb\"c\\0')"),
        ["\"a\\\nb\\\"c\\000\""]
    );
    assert_eq!(
        ok("return string.format('%s %s', 1, 1.5), string.format('%g', 2^53)"),
        ["1 1.5", "9.0072e+15"]
    );
    assert!(
        err("return string.format('%d', 'x')")
            .contains("bad argument #2 to 'format' (number expected, got string)")
    );
    assert!(
        err("return string.format('%s')")
            .contains("bad argument #2 to 'format' (string expected, got no value)")
    );
    assert!(err("return string.format('%y', 1)").contains("invalid option '%y' to 'format'"));
}

#[test]
fn tostring_of_numbers_follows_percent_14g() {
    assert_eq!(
        ok(
            "return tostring(10), tostring(1.5), tostring(0.1), tostring(1e15), tostring(1e16), tostring(2^53), tostring(-0.0), tostring(1e100), tostring(123456789012), tostring(-1/0), 1/3"
        ),
        [
            "10",
            "1.5",
            "0.1",
            "1e+15",
            "1e+16",
            "9.007199254741e+15",
            "-0",
            "1e+100",
            "123456789012",
            "-inf",
            "0.33333333333333"
        ]
    );
    let nan = ok("return tostring(0/0)");
    assert!(nan[0] == "nan" || nan[0] == "-nan", "{nan:?}");
    assert_eq!(
        ok(
            "return tonumber('0x1F'), tonumber('  12  '), tonumber('1e2'), tonumber('z', 36), tonumber('ff', 16), tonumber('x'), tonumber('10', 2)"
        ),
        ["31", "12", "100", "35", "255", "nil", "2"]
    );
}

#[test]
fn table_library() {
    assert_eq!(
        ok(
            "local t = {1, 2, 3} table.insert(t, 4) table.insert(t, 1, 0) return table.concat(t, ',')"
        ),
        ["0,1,2,3,4"]
    );
    assert_eq!(
        ok(
            "local t = {1, 2, 3} local a = table.remove(t) local b = table.remove(t, 1) return a, b, #t, t[1]"
        ),
        ["3", "1", "1", "2"]
    );
    assert_eq!(ok("return table.remove({})"), Vec::<String>::new());
    assert_eq!(
        ok(
            "return table.concat({1, 'a', 2.5}), table.concat({}, 'x'), table.concat({1, 2, 3}, '-', 2, 3)"
        ),
        ["1a2.5", "", "2-3"]
    );
    assert_eq!(
        ok("return table.getn({1, 2}), table.maxn({[5] = 1, [2] = 1}), unpack({1, 2, 3}, 2)"),
        ["2", "5", "2", "3"]
    );
    assert!(
        err("return table.concat({1, {}, 3})")
            .contains("invalid value (at index 2) in table for 'concat'")
    );
    assert!(err("table.insert({}, 1, 2, 3)").contains("wrong number of arguments to 'insert'"));
}

#[test]
fn table_sort() {
    assert_eq!(
        ok("local t = {5, 2, 8, 1, 9, 3} table.sort(t) return table.concat(t, ' ')"),
        ["1 2 3 5 8 9"]
    );
    assert_eq!(
        ok(
            "local t = {5, 2, 8, 1, 9, 3} table.sort(t, function(a, b) return a > b end) return table.concat(t, ' ')"
        ),
        ["9 8 5 3 2 1"]
    );
    assert_eq!(
        ok("local t = {'pear', 'apple', 'fig'} table.sort(t) return table.concat(t, ' ')"),
        ["apple fig pear"]
    );
    let many = "local t = {} for i = 1, 500 do t[i] = (i * 7919) % 503 end table.sort(t)
        for i = 2, #t do if t[i - 1] > t[i] then return 'unsorted' end end return 'ok'";
    assert_eq!(ok(many), ["ok"]);
    let recs = "local t = {{n = 'b', v = 2}, {n = 'a', v = 1}, {n = 'c', v = 3}}
        table.sort(t, function(x, y) return x.v < y.v end) return t[1].n .. t[2].n .. t[3].n";
    assert_eq!(ok(recs), ["abc"]);
    assert!(err("table.sort({1, 'x', 2})").contains("attempt to compare"));
    let bad = err(
        "local t = {} for i = 1, 100 do t[i] = i % 7 end table.sort(t, function(a, b) return true end)",
    );
    assert!(bad.contains("invalid order function for sorting"), "{bad}");
}

#[test]
fn math_library() {
    assert_eq!(
        ok(
            "return math.floor(3.7), math.ceil(3.2), math.abs(-2), math.max(1, 5, 3), math.min(4, 2), math.sqrt(16), math.pow(2, 10)"
        ),
        ["3", "4", "2", "5", "2", "4", "1024"]
    );
    assert_eq!(
        ok("return math.fmod(7, 3), math.fmod(-7, 3), math.huge, math.pi, math.modf(3.5)"),
        ["1", "-1", "inf", "3.1415926535898", "3", "0.5"]
    );
    assert_eq!(
        ok("return math.log(1), math.exp(0), math.ldexp(0.5, 4), math.frexp(8)"),
        ["0", "1", "8", "0.5", "4"]
    );
    let rand = "local a = math.random() local b = math.random(10) local c = math.random(5, 6)
        return a >= 0 and a < 1, b >= 1 and b <= 10 and b == math.floor(b), c == 5 or c == 6";
    assert_eq!(ok(rand), ["true", "true", "true"]);
    // The same sequence as a fresh Redis server.
    assert_eq!(
        ok("math.random() return math.random(100), math.random(1, 10), tostring(math.random())"),
        ["85", "4", "0.44658343468168"]
    );
    assert_eq!(
        ok(
            "math.randomseed(42) local a = math.random() math.randomseed(42) return a == math.random()"
        ),
        ["true"]
    );
    assert!(err("return math.random(0)").contains("interval is empty"));
    assert_eq!(ok("return type(os.clock())"), ["number"]);
}

#[test]
fn base_library() {
    assert_eq!(
        ok("return type(nil), type(1), type('x'), type({}), type(print or type), type(true)"),
        ["nil", "number", "string", "table", "function", "boolean"]
    );
    assert_eq!(
        ok("return rawequal('a', 'a'), rawequal({}, {}), rawget({5}, 1), rawset({}, 'k', 'v').k"),
        ["true", "false", "5", "v"]
    );
    assert_eq!(ok("return unpack({1, 2, 3})"), ["1", "2", "3"]);
    assert_eq!(ok("return _VERSION, _G._G == _G"), ["Lua 5.1", "true"]);
    assert_eq!(
        ok("return type(loadstring), require, io, dofile, loadfile, print"),
        ["function", "nil", "nil", "nil", "nil", "nil"]
    );
    assert_eq!(
        ok("local f = loadstring('local a = ... return a * 2') return f(21)"),
        ["42"]
    );
    assert_eq!(
        ok("return loadstring(string.dump(function() end))"),
        [
            "nil",
            "[string \"\x1bLuaQ\"]:1: unexpected symbol near 'char(27)'"
        ]
    );
    assert!(err("return unpack({}, 1, 1e8)").contains("too many results to unpack"));
    assert!(err("return next({}, 'nope')").contains("invalid key to 'next'"));
}

// ---- errors ----

#[test]
fn runtime_error_messages_carry_positions() {
    assert_eq!(
        err("return 1 + nil"),
        "user_script:1: attempt to perform arithmetic on a nil value"
    );
    assert_eq!(
        err("local a\nreturn a + 1"),
        "user_script:2: attempt to perform arithmetic on local 'a' (a nil value)"
    );
    assert_eq!(
        err("return x.y"),
        "user_script:1: attempt to index global 'x' (a nil value)"
    );
    assert_eq!(
        err("local t = {} return t.a.b"),
        "user_script:1: attempt to index field 'a' (a nil value)"
    );
    assert_eq!(
        err("nofunc()"),
        "user_script:1: attempt to call global 'nofunc' (a nil value)"
    );
    assert_eq!(
        err("local t = {} t.m()"),
        "user_script:1: attempt to call field 'm' (a nil value)"
    );
    assert_eq!(
        err("local t = {} t:m()"),
        "user_script:1: attempt to call method 'm' (a nil value)"
    );
    assert_eq!(
        err("return ('x')()"),
        "user_script:1: attempt to call a string value"
    );
    assert_eq!(
        err("return 'a' .. {}"),
        "user_script:1: attempt to concatenate a table value"
    );
    assert_eq!(
        err("local s return 'a' .. s"),
        "user_script:1: attempt to concatenate local 's' (a nil value)"
    );
    assert_eq!(
        err("return 1 < 'x'"),
        "user_script:1: attempt to compare number with string"
    );
    assert_eq!(
        err("return {} < {}"),
        "user_script:1: attempt to compare two table values"
    );
    assert_eq!(
        err("return 1 < nil"),
        "user_script:1: attempt to compare number with nil"
    );
    assert_eq!(
        err("return #nil"),
        "user_script:1: attempt to get length of a nil value"
    );
    assert_eq!(
        err("local function f() local u; return function() return u.x end end return f()()"),
        "user_script:1: attempt to index upvalue 'u' (a nil value)"
    );
}

#[test]
fn error_pcall_and_assert() {
    assert_eq!(err("error('boom')"), "user_script:1: boom");
    assert_eq!(err("\n\nerror('boom', 0)"), "boom");
    assert_eq!(
        err("local function f() error('deep', 2) end\nf()"),
        "user_script:2: deep"
    );
    assert_eq!(err("assert(false)"), "user_script:1: assertion failed!");
    assert_eq!(err("assert(nil, 'custom')"), "user_script:1: custom");
    assert_eq!(ok("return assert(1, 'x')"), ["1", "x"]);
    assert_eq!(
        ok("return pcall(function(a, b) return a + b end, 1, 2)"),
        ["true", "3"]
    );
    assert_eq!(ok("return pcall(error, 'x', 0)"), ["false", "x"]);
    assert_eq!(
        ok("return pcall(function() error('msg') end)"),
        ["false", "user_script:1: msg"]
    );
    assert_eq!(
        ok("return pcall(function() local x = nil; return x.y end)"),
        [
            "false",
            "user_script:1: attempt to index local 'x' (a nil value)"
        ]
    );
    // Redis's pcall unwraps error tables to their `err` text.
    assert_eq!(
        ok("return pcall(function() error({err = 'ERR custom'}) end)"),
        ["false", "ERR custom"]
    );
    let table_err = run("error({err = 'MYERR something'})").unwrap_err();
    let raised = table_err
        .value()
        .and_then(Value::as_table)
        .expect("table raised")
        .get_str("err");
    assert_eq!(raised.as_bytes(), Some(&b"MYERR something"[..]));
    assert_eq!(table_err.to_string(), "MYERR something");
    let other = run("error({code = 1})").unwrap_err();
    assert!(matches!(other, LuaError::Runtime(Value::Table(_))));
    assert_eq!(
        ok("return xpcall(function() error('e') end, function(m) return 'handled: ' .. m end)"),
        ["false", "handled: user_script:1: e"]
    );
    assert_eq!(ok("return select('#', pcall(error))"), ["2"]);
}

#[test]
fn deep_recursion_is_a_stack_overflow_error() {
    let e = err("local function f(n) return f(n + 1) + 1 end return f(1)");
    assert!(e.contains("stack overflow"), "{e}");
    let caught = ok("local function f() return f() end return pcall(f)");
    assert_eq!(caught[0], "false");
    assert!(caught[1].contains("stack overflow"));
    // Metamethod recursion is bounded the same way.
    let e = err(
        "local t = setmetatable({}, {}) getmetatable(t).__index = function(t, k) return t[k] end return t.x",
    );
    assert!(e.contains("stack overflow"), "{e}");
    // A moderately deep recursion is fine.
    assert_eq!(
        ok("local function f(n) if n == 0 then return 0 end return 1 + f(n - 1) end return f(60)"),
        ["60"]
    );
}

#[test]
fn deep_structures_do_not_crash() {
    let nested = format!("return {}1{}", "{".repeat(150), "}".repeat(150));
    assert!(run(&nested).is_ok());
    let too_deep = format!("return {}1{}", "(".repeat(1000), ")".repeat(1000));
    assert!(err(&too_deep).contains("too many syntax levels"));
    assert_eq!(
        ok("local t = {} for i = 1, 100000 do t = {t} end return 'ok'"),
        ["ok"]
    );
    let cyclic = reply("local t = {} t[1] = t return t");
    let mut depth = 0;
    let mut r = cyclic;
    while let Reply::Array(mut items) = r {
        r = items.pop().unwrap();
        depth += 1;
    }
    assert!(depth > 100);
    assert_eq!(r, Reply::Error(b("ERR reached lua stack limit")));
}

#[test]
fn syntax_errors_have_lua_shape() {
    let syntax = |src: &str| match Lua::new().load("@user_script", src.as_bytes()) {
        Err(LuaError::Syntax(s)) => s,
        other => panic!("expected a syntax error, got {:?}", other.map(|_| ())),
    };
    assert_eq!(
        syntax("x = = 1"),
        "user_script:1: unexpected symbol near '='"
    );
    assert_eq!(
        syntax("local t = {} t.x end"),
        "user_script:1: '=' expected near 'end'"
    );
    assert_eq!(
        syntax("if true then"),
        "user_script:1: 'end' expected near '<eof>'"
    );
    assert_eq!(
        syntax("while true do\n\nx = 1"),
        "user_script:3: 'end' expected (to close 'while' at line 1) near '<eof>'"
    );
    assert_eq!(
        syntax("return 'abc"),
        "user_script:1: unfinished string near '<eof>'"
    );
    assert_eq!(
        syntax("goto done"),
        "user_script:1: '=' expected near 'done'"
    );
    assert_eq!(
        syntax("local 1 = 2"),
        "user_script:1: <name> expected near '1'"
    );
    assert_eq!(syntax("f(1,)"), "user_script:1: unexpected symbol near ')'");
    assert_eq!(syntax("x = }"), "user_script:1: unexpected symbol near '}'");
    assert!(
        Lua::new()
            .load("=stdin", b"?")
            .unwrap_err()
            .to_string()
            .starts_with("stdin:1:")
    );
}

// ---- the redis bridge ----

#[test]
fn redis_call_converts_arguments_and_replies() {
    let mut lua = Lua::new();
    let mut host = MockHost::with_replies(vec![
        Reply::Integer(42),
        Reply::Bulk(b("bulk")),
        Reply::Nil,
        Reply::NilArray,
        Reply::Status(b("OK")),
        Reply::Array(vec![
            Reply::Integer(1),
            Reply::Bulk(b("x")),
            Reply::Nil,
            Reply::Array(vec![]),
        ]),
    ]);
    let src = "
        local i = redis.call('INCRBY', 'k', 12345)
        local s = redis.call('GET', 'k')
        local n = redis.call('GET', 'missing')
        local na = redis.call('BLPOP', 'l', 0.5)
        local ok = redis.call('SET', 'a', 'b')
        local arr = redis.call('X')
        return {type(i), i, s, tostring(n), tostring(na), ok.ok, #arr, arr[1], arr[2], tostring(arr[3]), type(arr[4])}";
    let out = run_with(&mut lua, &mut host, src).unwrap();
    let t = out[0].as_table().unwrap();
    assert_eq!(
        show(&t.sequence()),
        [
            "number", "42", "bulk", "false", "false", "OK", "4", "1", "x", "false", "table"
        ]
    );
    assert_eq!(host.calls[0], vec![b("INCRBY"), b("k"), b("12345")]);
    assert_eq!(host.calls[3], vec![b("BLPOP"), b("l"), b("0.5")]);
}

#[test]
fn redis_call_raises_error_tables_and_pcall_returns_them() {
    let mut lua = Lua::new();
    let mut host =
        MockHost::with_replies(vec![Reply::Error(b("WRONGTYPE Operation against a key"))]);
    let e = run_with(&mut lua, &mut host, "return redis.call('GET', 'k')").unwrap_err();
    let LuaError::Runtime(Value::Table(t)) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(
        t.get_str("err").as_bytes(),
        Some(&b"WRONGTYPE Operation against a key"[..])
    );
    assert_eq!(
        t.get_str("ignore_error_stats_update").as_boolean(),
        Some(true)
    );
    assert_eq!(
        lua.to_reply(&e.value().unwrap().clone()),
        Reply::Error(b("WRONGTYPE Operation against a key"))
    );
    assert_eq!(
        lua.last_error_location()
            .map(|l| (l.source.as_str(), l.line)),
        Some(("@user_script", 1))
    );

    host.replies = VecDeque::from(vec![Reply::Error(b("ERR boom"))]);
    let out = run_with(
        &mut lua,
        &mut host,
        "local r = redis.pcall('X') return r.err",
    )
    .unwrap();
    assert_eq!(show(&out), ["ERR boom"]);

    host.replies = VecDeque::from(vec![Reply::Error(b("ERR boom"))]);
    let out = run_with(&mut lua, &mut host, "return pcall(redis.call, 'X')").unwrap();
    assert_eq!(show(&out), ["false", "ERR boom"]);

    host.replies = VecDeque::from(vec![Reply::Error(b("NOSPACE"))]);
    let out = run_with(&mut lua, &mut host, "return redis.pcall('X').err").unwrap();
    assert_eq!(show(&out), ["ERR NOSPACE"]);

    let e = run_with(&mut lua, &mut host, "return redis.call()").unwrap_err();
    assert_eq!(
        e.to_string(),
        "ERR Please specify at least one argument for this redis lib call"
    );
    let e = run_with(&mut lua, &mut host, "return redis.call('GET', {})").unwrap_err();
    assert_eq!(
        e.to_string(),
        "ERR Lua redis lib command arguments must be strings or integers"
    );
    let out = run_with(&mut lua, &mut host, "return redis.pcall(true).err").unwrap();
    assert_eq!(
        show(&out),
        ["ERR Lua redis lib command arguments must be strings or integers"]
    );
}

#[test]
fn resp3_replies_to_lua() {
    let mut lua = Lua::new();
    let mut host = MockHost::with_replies(vec![
        Reply::Map(vec![
            (Reply::Bulk(b("a")), Reply::Integer(1)),
            (Reply::Bulk(b("b")), Reply::Bulk(b("x"))),
        ]),
        Reply::Set(vec![Reply::Bulk(b("m1")), Reply::Bulk(b("m2"))]),
        Reply::Double(1.5),
        Reply::Boolean(true),
        Reply::BigNumber(b("12345678901234567890")),
        Reply::Verbatim {
            format: *b"txt",
            text: b("hello"),
        },
        Reply::Nil,
    ]);
    let src = "
        redis.setresp(3)
        local m = redis.call('HGETALL', 'h')
        local s = redis.call('SMEMBERS', 's')
        local d = redis.call('X')
        local bo = redis.call('X')
        local big = redis.call('X')
        local v = redis.call('X')
        local n = redis.call('GET', 'missing')
        return {m.map.a, m.map.b, tostring(s.set.m1), tostring(s.set.m2), d.double, tostring(bo), big.big_number,
                v.verbatim_string.format, v.verbatim_string.string, tostring(n)}";
    let out = run_with(&mut lua, &mut host, src).unwrap();
    assert_eq!(lua.resp(), 3);
    let t = out[0].as_table().unwrap();
    assert_eq!(
        show(&t.sequence()),
        [
            "1",
            "x",
            "true",
            "true",
            "1.5",
            "true",
            "12345678901234567890",
            "txt",
            "hello",
            "nil"
        ]
    );
    let e = run_with(&mut lua, &mut host, "redis.setresp(4)").unwrap_err();
    assert_eq!(e.to_string(), "ERR RESP version must be 2 or 3.");
}

#[test]
fn lua_values_to_replies() {
    assert_eq!(reply("return 42.9"), Reply::Integer(42));
    assert_eq!(reply("return -42.9"), Reply::Integer(-42));
    assert_eq!(reply("return 'str'"), Reply::Bulk(b("str")));
    assert_eq!(reply("return true"), Reply::Integer(1));
    assert_eq!(reply("return false"), Reply::Nil);
    assert_eq!(reply("return nil"), Reply::Nil);
    assert_eq!(reply("return"), Reply::Nil);
    assert_eq!(
        reply("return {err = 'ERR bad'}"),
        Reply::Error(b("ERR bad"))
    );
    assert_eq!(
        reply("return {ok = 'FINE\\r\\nX'}"),
        Reply::Status(b("FINE  X"))
    );
    assert_eq!(
        reply("return redis.status_reply('PONG')"),
        Reply::Status(b("PONG"))
    );
    assert_eq!(
        reply("return redis.error_reply('MY error')"),
        Reply::Error(b("MY error"))
    );
    assert_eq!(
        reply("return redis.error_reply('oops')"),
        Reply::Error(b("ERR oops"))
    );
    assert_eq!(
        reply("return redis.error_reply('-X y')"),
        Reply::Error(b("X y"))
    );
    assert_eq!(
        reply("return redis.error_reply(1)"),
        Reply::Error(b("ERR wrong number or type of arguments"))
    );
    assert_eq!(
        reply("return {1, 'two', {3, {err = 'ERR nested'}}, true, false, 5}"),
        Reply::Array(vec![
            Reply::Integer(1),
            Reply::Bulk(b("two")),
            Reply::Array(vec![Reply::Integer(3), Reply::Error(b("ERR nested"))]),
            Reply::Integer(1),
            Reply::Nil,
            Reply::Integer(5),
        ])
    );
    assert_eq!(
        reply("return {1, nil, 3}"),
        Reply::Array(vec![Reply::Integer(1)])
    );
    assert_eq!(reply("return {err = 1}"), Reply::Array(vec![]));
    assert_eq!(reply("return {double = 3.5}"), Reply::Double(3.5));
    assert_eq!(
        reply("return {big_number = '123'}"),
        Reply::BigNumber(b("123"))
    );
    assert_eq!(
        reply("return {verbatim_string = {format = 'txt', string = 'hi'}}"),
        Reply::Verbatim {
            format: *b"txt",
            text: b("hi")
        }
    );
    assert_eq!(
        reply("return {map = {a = 1}}"),
        Reply::Map(vec![(Reply::Bulk(b("a")), Reply::Integer(1))])
    );
    assert_eq!(
        reply("return {set = {x = true}}"),
        Reply::Set(vec![Reply::Bulk(b("x"))])
    );
    assert_eq!(
        reply("redis.setresp(3) return {map = {k = true}}"),
        Reply::Map(vec![(Reply::Bulk(b("k")), Reply::Boolean(true))])
    );
    let mut lua = Lua::new();
    lua.set_resp(3);
    assert_eq!(lua.to_reply(&Value::Boolean(false)), Reply::Boolean(false));
    assert_eq!(
        lua.to_reply(&Value::Function(Function::native("f", |_, _| Ok(vec![])))),
        Reply::Nil
    );
}

#[test]
fn redis_helpers() {
    assert_eq!(
        ok("return redis.sha1hex(''), redis.sha1hex('abc')"),
        [
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        ]
    );
    assert_eq!(
        err("return redis.sha1hex()"),
        "ERR wrong number of arguments"
    );
    assert_eq!(
        ok("return redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING"),
        ["0", "1", "2", "3"]
    );
    assert_eq!(
        ok(
            "return redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL"
        ),
        ["0", "1", "2", "2", "3"]
    );
    assert_eq!(
        ok("return redis.REDIS_VERSION, redis.REDIS_VERSION_NUM"),
        ["7.0.15", "458767"]
    );
    assert_eq!(
        ok(
            "return redis.replicate_commands(), redis.breakpoint(), redis.debug('x'), redis.acl_check_cmd('get', 'k')"
        ),
        ["true", "false", "nil", "true"]
    );

    let mut lua = Lua::new();
    let mut host = MockHost::default();
    run_with(
        &mut lua,
        &mut host,
        "redis.log(redis.LOG_WARNING, 'hello', 42, {}, 'x') redis.set_repl(redis.REPL_ALL)",
    )
    .unwrap();
    assert_eq!(host.logs, vec![(3, b"hello 42 x".to_vec())]);
    assert_eq!(host.repl, vec![3]);
    let e = run_with(&mut lua, &mut host, "redis.set_repl(1)").unwrap_err();
    assert_eq!(e.to_string(), "ERR AOF only is not allowed here");
    let e = run_with(&mut lua, &mut host, "redis.set_repl(8)").unwrap_err();
    assert!(e.to_string().starts_with("ERR Invalid replication flags"));
    let e = run_with(&mut lua, &mut host, "redis.log(1)").unwrap_err();
    assert_eq!(
        e.to_string(),
        "ERR redis.log() requires two arguments or more."
    );
    let e = run_with(&mut lua, &mut host, "redis.log(9, 'x')").unwrap_err();
    assert_eq!(e.to_string(), "ERR Invalid debug level.");
}

#[test]
fn host_functions_and_arguments() {
    let mut lua = Lua::new();
    let keys = lua.array_of_strings(&[b("k1"), b("k2")]);
    lua.set_global("KEYS", keys);
    let argv = lua.array_of_strings(&[b("a1")]);
    lua.set_global("ARGV", argv);
    let seen = Rc::new(std::cell::RefCell::new(Vec::new()));
    let sink = seen.clone();
    lua.register_redis_fn(
        "remember",
        Rc::new(move |ctx, args| {
            let t = args
                .first()
                .and_then(Value::as_table)
                .ok_or_else(|| ctx.error("table expected"))?;
            let cb = t.get_str("callback");
            let f = cb
                .as_function()
                .ok_or_else(|| ctx.arg_error(1, "callback missing"))?
                .clone();
            sink.borrow_mut()
                .push((t.get_str("function_name").as_bytes().unwrap().to_vec(), f));
            Ok(vec![])
        }),
    );
    let mut host = MockHost::default();
    let out = run_with(
        &mut lua,
        &mut host,
        "redis.remember{function_name = 'f1', callback = function(keys, args) return keys[1] .. args[1] end}
         return #KEYS, KEYS[2], ARGV[1]",
    )
    .unwrap();
    assert_eq!(show(&out), ["2", "k2", "a1"]);
    let (name, f) = seen.borrow()[0].clone();
    assert_eq!(name, b"f1");
    let keys = lua.array_of_strings(&[b("x")]);
    let args = lua.array_of_strings(&[b("y")]);
    let r = lua.call(&f, vec![keys, args], &mut host).unwrap();
    assert_eq!(show(&r), ["xy"]);
    assert_eq!(lua.get_global("KEYS").as_table().unwrap().len(), 2);
}

#[test]
fn global_protection() {
    let mut lua = Lua::new();
    lua.set_globals_protected(true);
    let mut host = MockHost::default();
    let e = run_with(&mut lua, &mut host, "return undefined_var").unwrap_err();
    assert_eq!(
        e.to_string(),
        "user_script:1: Script attempted to access nonexistent global variable 'undefined_var'"
    );
    let e = run_with(&mut lua, &mut host, "x = 1").unwrap_err();
    assert_eq!(
        e.to_string(),
        "user_script:1: Attempt to modify a readonly table"
    );
    let e = run_with(&mut lua, &mut host, "function f() end").unwrap_err();
    assert_eq!(
        e.to_string(),
        "user_script:1: Attempt to modify a readonly table"
    );
    let e = run_with(&mut lua, &mut host, "string.foo = 1").unwrap_err();
    assert_eq!(
        e.to_string(),
        "user_script:1: Attempt to modify a readonly table"
    );
    let e = run_with(&mut lua, &mut host, "rawset(_G, 'x', 1)").unwrap_err();
    assert!(e.to_string().contains("Attempt to modify a readonly table"));
    let e = run_with(&mut lua, &mut host, "setmetatable(_G, nil)").unwrap_err();
    assert!(e.to_string().contains("Attempt to modify a readonly table"));
    let e = run_with(&mut lua, &mut host, "table.insert(redis, 1)").unwrap_err();
    assert!(e.to_string().contains("Attempt to modify a readonly table"));
    let e = run_with(&mut lua, &mut host, "redis.nosuch()").unwrap_err();
    assert_eq!(
        e.to_string(),
        "user_script:1: attempt to call field 'nosuch' (a nil value)"
    );
    // Locals, new tables and host-set globals stay usable.
    lua.set_global("KEYS", Value::Table(lua::Table::new()));
    let out = run_with(
        &mut lua,
        &mut host,
        "local t = {} t.x = 1 KEYS[1] = 'k' return t.x, KEYS[1], string.upper('a')",
    )
    .unwrap();
    assert_eq!(show(&out), ["1", "k", "A"]);
    lua.set_globals_protected(false);
    assert_eq!(
        show(&run_with(&mut lua, &mut host, "y = 2 return y, z").unwrap()),
        ["2", "nil"]
    );
}

#[test]
fn library_loading_mode() {
    let mut lua = Lua::new();
    lua.set_globals_protected(true);
    let registered = Rc::new(std::cell::RefCell::new(Vec::<Function>::new()));
    let sink = registered.clone();
    lua.register_library_fn(
        "register_function",
        Rc::new(move |ctx, args| {
            let f = args
                .get(1)
                .and_then(Value::as_function)
                .ok_or_else(|| ctx.arg_error(2, "function expected"))?;
            sink.borrow_mut().push(f.clone());
            Ok(vec![])
        }),
    );
    let mut host = MockHost::default();
    let lib = lua
        .load(
            "@user_function",
            b"local function helper(x) return string.upper(x) end
              redis.register_function('f', function(keys, args) return helper(args[1]) .. redis.call('PING').ok end)
              redis.log(redis.LOG_NOTICE, 'loaded')",
        )
        .unwrap();
    lua.set_loading_library(true);
    lua.call(&lib, vec![], &mut host).unwrap();
    let e = {
        let bad = lua
            .load("@user_function", b"return string.upper('x')")
            .unwrap();
        lua.call(&bad, vec![], &mut host).unwrap_err()
    };
    assert_eq!(
        e.to_string(),
        "user_function:1: Script attempted to access nonexistent global variable 'string'"
    );
    let e = {
        let bad = lua.load("@user_function", b"redis.call('PING')").unwrap();
        lua.call(&bad, vec![], &mut host).unwrap_err()
    };
    assert!(
        e.to_string().contains("nonexistent global variable 'call'"),
        "{e}"
    );
    let e = {
        let bad = lua.load("@user_function", b"x = 1").unwrap();
        lua.call(&bad, vec![], &mut host).unwrap_err()
    };
    assert!(
        e.to_string().contains("Attempt to modify a readonly table"),
        "{e}"
    );
    lua.set_loading_library(false);
    assert_eq!(host.logs, vec![(2, b"loaded".to_vec())]);
    let f = registered.borrow()[0].clone();
    let args = lua.array_of_strings(&[b("abc")]);
    host.replies = VecDeque::from(vec![Reply::Status(b("PONG"))]);
    let out = lua
        .call(&f, vec![Value::Table(lua::Table::new()), args], &mut host)
        .unwrap();
    assert_eq!(show(&out), ["ABCPONG"]);
}

#[test]
fn check_abort_stops_infinite_loops() {
    for src in [
        "while true do end",
        "repeat until false",
        "for i = 1, math.huge do end",
        "local function f() return f() end while true do pcall(f) end",
        "while true do pcall(function() while true do end end) end",
        "for k in function() return 1 end do end",
        "local s = string.rep('a', 40) while true do string.find(s, '(a*)*b') end",
    ] {
        let mut lua = Lua::new();
        let mut host = MockHost {
            abort_after: Some(5),
            ..MockHost::default()
        };
        let e = run_with(&mut lua, &mut host, src).unwrap_err();
        assert!(
            matches!(&e, LuaError::Aborted(m) if m == "BUSY script killed"),
            "{src}: {e:?}"
        );
        assert!(host.abort_checks >= 5);
    }
}

#[test]
fn catastrophic_pattern_is_abortable() {
    let mut lua = Lua::new();
    let mut host = MockHost {
        abort_after: Some(3),
        ..MockHost::default()
    };
    let e = run_with(
        &mut lua,
        &mut host,
        "return string.find(string.rep('a', 30), '.-.-.-.-.-.-.-.-b')",
    )
    .unwrap_err();
    assert!(matches!(e, LuaError::Aborted(_)), "{e:?}");
}

#[test]
fn extreme_arguments_are_errors_not_panics() {
    let calls = [
        "string.sub('abc', -1e300, 1e300)",
        "string.sub('abc', 1e300, -1e300)",
        "string.byte('abc', -1e300, 1e300)",
        "string.find('abc', 'b', -1e300)",
        "string.find('abc', 'b', 1e300, true)",
        "string.rep('x', -1e300)",
        "string.rep('', 1e300)",
        "string.char(1e300)",
        "string.format('%d %x %c %5.99f', 1e300, -1e300, 1e300, 0/0)",
        "string.format('%99.99f', 1e308)",
        "string.gsub('abc', 'b', 'x', -1e300)",
        "table.concat({}, '', 2^62, 2^63)",
        "table.concat({[2^63] = 'x'}, '', 2^63, 2^63)",
        "table.remove({}, 1e300)",
        "table.insert({}, 1e300, 1)",
        "unpack({}, -1e300, 1e300)",
        "unpack({}, 2^63, 2^63)",
        "select(-1e300, 1)",
        "select(1e300, 1)",
        "math.random(-2^62, 2^62)",
        "math.random(2^63)",
        "math.ldexp(1, 1e300)",
        "error('x', 1e300)",
        "error('x', -1e300)",
        "tonumber('1', 1e300)",
        "tonumber('1', -1e300)",
        "redis.log(1e300, 'x')",
        "redis.setresp(1e300)",
        "redis.set_repl(0/0)",
        "setmetatable({}, {__index = function() end}).x",
        "({}):nomethod()",
    ];
    for call in calls {
        let mut lua = Lua::new();
        let mut host = MockHost {
            abort_after: Some(50),
            ..MockHost::default()
        };
        let _ = run_with(&mut lua, &mut host, &format!("return {call}"));
        let _ = run_with(
            &mut lua,
            &mut host,
            &format!("return pcall(function() return {call} end)"),
        );
    }
    let mut lua = Lua::new();
    let mut host = MockHost {
        abort_after: Some(5),
        ..MockHost::default()
    };
    let e = run_with(&mut lua, &mut host, "table.insert({}, -1e300, 1)").unwrap_err();
    assert!(matches!(e, LuaError::Aborted(_)));
}

#[test]
fn functions_are_reusable_across_calls() {
    let mut lua = Lua::new();
    let mut host = MockHost::default();
    let f = lua
        .load(
            "@user_script",
            b"counter = (counter or 0) + 1 return counter",
        )
        .unwrap();
    for i in 1..=3 {
        let out = lua.call(&f, vec![], &mut host).unwrap();
        assert_eq!(out[0].as_number(), Some(f64::from(i)));
    }
    let g = lua.load("@user_script", b"return ...").unwrap();
    let out = lua
        .call(&g, vec![Value::from("a"), Value::from(2.0)], &mut host)
        .unwrap();
    assert_eq!(show(&out), ["a", "2"]);
}

#[test]
fn million_iteration_loop_is_fast() {
    let start = std::time::Instant::now();
    ok("for i = 1, 1000000 do local x = i * 2 end");
    // Typically ~0.1 s in a debug build; generous bound for busy machines.
    assert!(
        start.elapsed() < std::time::Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    const TOKENS: &[&str] = &[
        "local",
        "function",
        "end",
        "if",
        "then",
        "else",
        "elseif",
        "while",
        "do",
        "for",
        "in",
        "repeat",
        "until",
        "return",
        "break",
        "and",
        "or",
        "not",
        "nil",
        "true",
        "false",
        "x",
        "y",
        "t",
        "f",
        "=",
        "==",
        "~=",
        "<",
        "<=",
        "+",
        "-",
        "*",
        "/",
        "%",
        "^",
        "#",
        "..",
        "...",
        "(",
        ")",
        "{",
        "}",
        "[",
        "]",
        ";",
        ":",
        ",",
        ".",
        "1",
        "0.5",
        "'s'",
        "\"q\"",
        "[[l]]",
        "redis.call",
        "pcall",
        "error",
        "string.rep",
        "string.gsub",
        "'%'",
        "'(a*)*'",
        "setmetatable",
        "table.sort",
        "\n",
    ];

    fn run_quietly(src: &[u8]) {
        let mut lua = Lua::new();
        let mut host = MockHost {
            abort_after: Some(20),
            ..MockHost::default()
        };
        if let Ok(f) = lua.load("@fuzz", src) {
            let _ = lua.call(&f, vec![], &mut host);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn random_bytes_never_panic(src in proptest::collection::vec(any::<u8>(), 0..200)) {
            run_quietly(&src);
        }

        #[test]
        fn random_token_soup_never_panics(toks in proptest::collection::vec(0..TOKENS.len(), 0..60)) {
            let src: Vec<&str> = toks.iter().map(|&i| TOKENS[i]).collect();
            run_quietly(src.join(" ").as_bytes());
        }

        #[test]
        fn random_patterns_never_panic(
            subject in "[a-c()%.\\[\\]^$*+?-]{0,12}",
            pattern in "[a-c()%.\\[\\]^$*+?bf1-3-]{0,12}",
        ) {
            let src = format!(
                "pcall(string.find, {subject:?}, {pattern:?}) pcall(string.gsub, {subject:?}, {pattern:?}, '%1')
                 pcall(string.match, {subject:?}, {pattern:?}) for _ in pcall(string.gmatch, {subject:?}, {pattern:?}) do end"
            );
            run_quietly(src.as_bytes());
        }

        #[test]
        fn format_never_panics(spec in "%[-+ #0]{0,6}[0-9]{0,3}(\\.[0-9]{0,3})?[a-zA-Z%]", n in any::<f64>()) {
            let src = format!("pcall(string.format, {spec:?}, {n:?}) pcall(string.format, {spec:?}, 'str')");
            run_quietly(src.as_bytes());
        }
    }
}
