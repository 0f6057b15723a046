//! Wall-clock benchmarks of the issue-6 scenarios with criterion, every implementation
//! side by side. System calls dominate A, B and C; on a loaded machine the times are
//! noisy, and only the instruction counts of `instr.rs` are exact.

#![cfg_attr(
    all(feature = "std-unstable", nightly),
    feature(unix_socket_ancillary_data)
)]

use criterion::{criterion_group, criterion_main, Criterion};

mod common;

use common::{for_each_impl, Fixture, Impl, Scenario, Visit};

struct Bench<'c> {
    criterion: &'c mut Criterion,
    scenario: Scenario,
}

impl Visit for Bench<'_> {
    fn visit<I: Impl>(&mut self) {
        if !I::supports(self.scenario) {
            return;
        }
        let fixture = Fixture::new();
        let mut imp = I::new(fixture);
        common::check(&mut imp, fixture, self.scenario);
        let scenario = self.scenario;
        self.criterion
            .benchmark_group(scenario.name())
            .bench_function(I::NAME, |b| b.iter(|| common::op(&mut imp, scenario)));
    }
}

fn benches(criterion: &mut Criterion) {
    for scenario in Scenario::ALL {
        for_each_impl(&mut Bench {
            criterion,
            scenario,
        });
    }
}

criterion_group!(all, benches);
criterion_main!(all);
