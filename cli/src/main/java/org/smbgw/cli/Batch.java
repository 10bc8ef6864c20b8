package org.smbgw.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/** Runs one call per item, {@code parallel} at a time; results in input order; the first failure is thrown. */
final class Batch {
  private Batch() {}

  static <I, O> List<O> run(List<I> items, int parallel, Function<I, O> call) throws Exception {
    if (parallel <= 1 || items.size() <= 1) {
      List<O> out = new ArrayList<>();
      for (I i : items) {
        out.add(call.apply(i));
      }
      return out;
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, items.size()));
    try {
      List<Future<O>> futures = new ArrayList<>();
      items.forEach(i -> futures.add(pool.submit(() -> call.apply(i))));
      List<O> out = new ArrayList<>();
      for (Future<O> f : futures) {
        try {
          out.add(f.get());
        } catch (java.util.concurrent.ExecutionException e) {
          throw e.getCause() instanceof Exception ex ? ex : e;
        }
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }
}
