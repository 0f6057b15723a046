//! Instruction and allocation counts per operation (issue 6).
//!
//! `instr SCENARIO IMPL N` sets up, checks one operation, then runs `N` more and prints
//! the heap allocations per operation, counted by the tests crate's counting allocator. Run it
//! under `valgrind --tool=callgrind` for two values of `N`: the difference of the two
//! instruction counts divided by the difference of the `N`s is the user-space
//! instructions per operation, set-up cancelling out (`bench/run.sh` does this).
//!
//! `instr list` prints the supported `SCENARIO IMPL` pairs. With no arguments, or the
//! flags `cargo test`/`cargo bench` pass, it runs every pair a few times as a smoke test
//! and checks that ours does not allocate.

#![cfg_attr(
    all(feature = "std-unstable", nightly),
    feature(unix_socket_ancillary_data)
)]

use std::hint::black_box;

mod common;

use common::{for_each_impl, Fixture, Impl, Scenario, Visit};

#[global_allocator]
static GLOBAL: tests::CountingAlloc = tests::CountingAlloc;

/// Runs one scenario of one implementation `n` times and returns the allocations per
/// operation, or `None` if the implementation cannot express the scenario.
fn measure<I: Impl>(scenario: Scenario, n: u64) -> Option<f64> {
    if !I::supports(scenario) {
        return None;
    }
    let fixture = Fixture::new();
    let mut imp = I::new(fixture);
    common::check(&mut imp, fixture, scenario);
    let allocations = tests::allocations_in(|| {
        black_box(common::run(&mut imp, scenario, n));
    });
    Some(allocations as f64 / n.max(1) as f64)
}

struct One {
    scenario: Scenario,
    name: String,
    n: u64,
    found: bool,
}

impl Visit for One {
    fn visit<I: Impl>(&mut self) {
        if I::NAME != self.name {
            return;
        }
        self.found = true;
        match measure::<I>(self.scenario, self.n) {
            Some(allocs) => println!(
                "{} {} n={} allocs/op={allocs}",
                self.scenario.name(),
                I::NAME,
                self.n
            ),
            None => {
                eprintln!(
                    "{} cannot express scenario {}",
                    I::NAME,
                    self.scenario.name()
                );
                std::process::exit(2);
            }
        }
    }
}

struct List;

impl Visit for List {
    fn visit<I: Impl>(&mut self) {
        for scenario in Scenario::ALL {
            if I::supports(scenario) {
                println!("{} {}", scenario.name(), I::NAME);
            }
        }
    }
}

struct Smoke {
    passed: usize,
}

impl Visit for Smoke {
    fn visit<I: Impl>(&mut self) {
        for scenario in Scenario::ALL {
            if let Some(allocs) = measure::<I>(scenario, 3) {
                if I::NAME.starts_with("ours") {
                    assert_eq!(allocs, 0.0, "{} allocates in {}", I::NAME, scenario.name());
                }
                self.passed += 1;
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let positional: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with("--"))
        .collect();
    match positional.as_slice() {
        ["list"] => for_each_impl(&mut List),
        [scenario, name, n] => {
            let scenario = Scenario::parse(scenario).expect("scenario: A, B, C, D, D2 or E");
            let n = n.parse().expect("N: a number of operations");
            let mut one = One {
                scenario,
                name: (*name).to_owned(),
                n,
                found: false,
            };
            for_each_impl(&mut one);
            assert!(one.found, "unknown implementation {name}");
        }
        [] => {
            let mut smoke = Smoke { passed: 0 };
            for_each_impl(&mut smoke);
            println!("instr: {} passed, 0 failed", smoke.passed);
        }
        _ => {
            eprintln!("usage: instr [list | SCENARIO IMPL N]");
            std::process::exit(2);
        }
    }
}
