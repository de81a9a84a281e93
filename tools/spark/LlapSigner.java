// A stand-in for Hive LLAP's LlapSigner (hive-llap-common), which the pip pyspark package does not ship.
// Hive's FunctionRegistry needs the class to initialise; the Thrift server initialises it when a session
// closes on a server thread that has not used Hive yet, and without it that close fails with
// NoClassDefFoundError (seen about once in four dbt builds, failing a model that had run). The project
// uses no LLAP function: an empty interface is enough. tools/spark_cluster.py compiles it at `up`.
package org.apache.hadoop.hive.llap.security;

public interface LlapSigner {
  interface Signable {
    void setSignInfo(int masterKeyId);

    byte[] serialize() throws java.io.IOException;
  }
}
