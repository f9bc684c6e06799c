import { busConformance } from "./_bus_suite.ts";
import { MemoryBus } from "./bus_memory.ts";

busConformance("MemoryBus", () => Promise.resolve(new MemoryBus()));
