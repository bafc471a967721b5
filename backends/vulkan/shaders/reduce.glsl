// Workgroup sum: subgroup reduction, then one partial per subgroup through shared memory.
// Every invocation of the workgroup must call it; all get the total.
shared float reduce_partial[64];

float workgroup_sum(float v) {
  v = subgroupAdd(v);
  if (subgroupElect()) reduce_partial[gl_SubgroupID] = v;
  barrier();
  float total = 0.0;
  for (uint i = 0; i < gl_NumSubgroups; ++i) total += reduce_partial[i];
  barrier();
  return total;
}
