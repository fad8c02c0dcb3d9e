package dev.staplekeeper.agent.instrumentation;

import java.util.Map;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;

/** Records which classes an agent builder transformed and which failed, by class name. */
final class TransformationRecorder extends AgentBuilder.Listener.Adapter {
  private final Map<String, Boolean> transformed;
  private final Map<String, Throwable> errors;

  TransformationRecorder(Map<String, Boolean> transformed, Map<String, Throwable> errors) {
    this.transformed = transformed;
    this.errors = errors;
  }

  @Override
  public void onTransformation(
      TypeDescription type,
      ClassLoader loader,
      JavaModule module,
      boolean loaded,
      DynamicType dynamicType) {
    transformed.put(type.getName(), Boolean.TRUE);
  }

  @Override
  public void onError(
      String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable t) {
    errors.put(typeName, t);
  }
}
