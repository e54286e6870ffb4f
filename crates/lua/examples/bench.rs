//! Times a few typical script shapes: `cargo run -p lua --example bench`.
use lua::{Lua, NoHost};
fn main() {
    let mut lua = Lua::new();
    for src in [
        "for i=1,1000000 do local x = i * 2 end",
        "local t = {} for i=1,100000 do t[#t+1] = i end local s = 0 for i,v in ipairs(t) do s = s + v end return s",
        "local function fib(n) if n < 2 then return n end return fib(n-1) + fib(n-2) end return fib(22)",
        "local s = {} for i=1,10000 do s[#s+1] = string.format('%d:%s', i, tostring(i)) end return #table.concat(s, ',')",
    ] {
        let f = lua.load("@bench", src.as_bytes()).unwrap();
        let t = std::time::Instant::now();
        let r = lua.call(&f, vec![], &mut NoHost).unwrap();
        println!("{:?} {:?} {}", t.elapsed(), r, src);
    }
}
