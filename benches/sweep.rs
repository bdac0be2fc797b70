//! Sweep throughput (points per second): the bundled 30-point grid
//! (`scenarios/sweep-speed-frequency.toml`) on a 20 × 15 mm patch at 0.01 mm (≈ 10–60 ms a
//! point), whole runs into a fresh folder (journal, fsyncs, results.csv and the two plots
//! included), on 1 and 2 threads in one group so the speed-up is measured on the same
//! machine in the same run. The baseline is the same points evaluated one after the other
//! on one thread with no files at all.

use std::path::Path;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use needlesim::io::scenario::Override;
use needlesim::study::sweep::Sweep;
use needlesim::study::sweep::run::{Options, Quiet, run};

fn sweep(c: &mut Criterion) {
    let larger: Vec<Override> =
        ["patch.width_mm=20", "patch.height_mm=15", "grid.resolution_mm=0.01"].iter().map(|s| s.parse().unwrap()).collect();
    let s = Sweep::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/sweep-speed-frequency.toml")), &larger).unwrap();
    let mut g = c.benchmark_group("sweep_speed_frequency_30_points");
    g.throughput(Throughput::Elements(s.len() as u64));
    g.sample_size(10);
    g.bench_function(BenchmarkId::new("serial_no_journal", 1), |b| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        b.iter(|| pool.install(|| (0..s.len()).map(|i| s.evaluate(i)).collect::<Vec<_>>()))
    });
    for threads in [1, 2] {
        g.bench_function(BenchmarkId::new("sweep_run", threads), |b| {
            b.iter_batched(
                || tempfile::tempdir().unwrap(),
                |dir| {
                    let opts = Options { out: dir.path().join("out"), threads: Some(threads), ..Default::default() };
                    run(&s, &opts, &Quiet).unwrap();
                    dir
                },
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, sweep);
criterion_main!(benches);
