// The default crew: four subscribers in this thread, each working at a fixed speed on the run's clock.
import type { Subscriber } from '@dispenser/core';
import type { Crew, DemandSide, DemoEvent, WorkerFigures } from './crew';

/** A simulated subscriber of the demo: its name and how many events it handles per second. */
export interface WorkerSpec {
  readonly name: string;
  readonly speed: number;
}

/** The four subscribers: each 2 to 4 times slower than the one before. */
export const workerSpecs: readonly WorkerSpec[] = [
  { name: 'fast', speed: 4_000 },
  { name: 'steady', speed: 2_000 },
  { name: 'slow', speed: 1_000 },
  { name: 'sluggish', speed: 250 },
];

/** A subscriber holds at most this many milliseconds of work (received but not yet handled). */
const WINDOW_MS = 100;

/**
 * A subscriber that works at a fixed speed and asks for more as it finishes: its outstanding
 * demand plus the events it holds always make its window.
 */
export class SimulatedWorker implements Subscriber<DemoEvent> {
  /** Events handed to this worker. */
  delivered = 0;
  /** Events it has finished. */
  processed = 0;
  /** Events handed to it and not finished yet. */
  holding = 0;
  #budget = 0;

  constructor(
    /** Its place in {@link workerSpecs}, which is also its partition with `--strategy partition`. */
    readonly index: number,
    readonly name: string,
    readonly speed: number,
    readonly window: number,
  ) {}

  handleAssignedEvents(events: DemoEvent[]): void {
    this.delivered += events.length;
    this.holding += events.length;
  }

  /** Works for `elapsed` ms; returns how many events it finished. */
  work(elapsed: number): number {
    this.#budget = Math.min(this.#budget + (this.speed * elapsed) / 1000, this.window);
    const done = Math.min(this.holding, Math.floor(this.#budget));
    this.#budget -= done;
    this.holding -= done;
    this.processed += done;
    return done;
  }
}

/** The subscribers of {@link workerSpecs}, driven by the run's ticks. */
export class SimulatedCrew implements Crew {
  readonly rateOf = 'delivered';
  readonly workers: readonly SimulatedWorker[] = workerSpecs.map(
    (spec, index) => new SimulatedWorker(index, spec.name, spec.speed, Math.max(10, (spec.speed * WINDOW_MS) / 1000)),
  );
  readonly throughput = this.workers.reduce((sum, w) => sum + w.speed, 0);
  readonly maxDemand = Math.max(...this.workers.map((w) => w.window));
  #server: DemandSide | undefined;

  start(server: DemandSide): Promise<void> {
    this.#server = server;
    for (const worker of this.workers) server.ask(worker, worker.window);
    return Promise.resolve();
  }

  event(id: number): DemoEvent {
    return { id };
  }

  work(elapsed: number): void {
    const server = this.#server;
    if (server === undefined) return;
    for (const worker of this.workers) {
      const done = worker.work(elapsed);
      if (done > 0) server.ask(worker, done);
    }
  }

  figures(): WorkerFigures[] {
    return this.workers.map((w) => ({ name: w.name, speed: w.speed, delivered: w.delivered, processed: w.processed, rate: 0 }));
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}
