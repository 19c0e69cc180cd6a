package dev.vellum;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the component (or field) of a type that holds a typed collection's record id, when it is not named
 * {@code id}. Its value is the record's id (a string, or anything Jackson writes as one, such as a UUID); null
 * on insert means "generate one".
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
public @interface Id {}
