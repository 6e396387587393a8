import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';

import { CACHE_LOGGER_CONTEXT, CACHE_MANAGER_OPTIONS } from '../cache-manager.constants.js';
import { CacheManagerService } from '../cache-manager.service.js';
import type { CacheManagerModuleOptions } from '../interfaces/cache-manager-module-options.interface.js';
import { CachedMetadataAccessor } from './cached-metadata.accessor.js';
import { SHARED_DEFAULT_KEY } from './cached.messages.js';
import {
  bindInstance,
  bindPrototype,
  type CacheBinding,
  unbindInstance,
  unbindPrototype,
} from './cached.registry.js';

/**
 * Finds the providers and controllers with `@Cached` or `@CacheInvalidate` methods when the
 * module initialises, and binds them to the app's cache; unbinds them when the app shuts down.
 *
 * The decorators replaced the methods when the classes were defined (the router keeps the
 * handler it finds before any `onModuleInit` runs, so replacing them here would be too late);
 * the replacements look their cache up from `this` at each call. Singletons are bound one by
 * one. Request-scoped and transient classes are bound by class: all their instances share the
 * app's cache, by key, so two instances asked the same thing share one result.
 */
@Injectable()
export class CachedExplorer implements OnModuleInit, OnApplicationShutdown {
  private readonly binding: CacheBinding;
  private readonly accessor = new CachedMetadataAccessor();
  private readonly boundInstances: object[] = [];
  private readonly boundPrototypes: object[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    cache: CacheManagerService,
    @Inject(CACHE_MANAGER_OPTIONS) options: CacheManagerModuleOptions,
  ) {
    this.binding = {
      cache,
      logger: options.logger ?? new Logger(CACHE_LOGGER_CONTEXT),
      warned: new Set(),
    };
  }

  onModuleInit(): void {
    this.explore();
  }

  onApplicationShutdown(): void {
    this.unbindAll();
  }

  /** Binds every provider and controller of the app that has a decorated method. */
  explore(): void {
    const classesByName = new Map<string, unknown>();
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    for (const wrapper of wrappers) this.bindWrapper(wrapper, classesByName);
  }

  /** Undoes `explore`: the decorated methods of this app run uncached from now on. */
  unbindAll(): void {
    for (const instance of this.boundInstances.splice(0)) unbindInstance(instance, this.binding);
    for (const prototype of this.boundPrototypes.splice(0)) {
      unbindPrototype(prototype, this.binding);
    }
  }

  /**
   * Binds one provider or controller if it has decorated methods. A request-scoped provider
   * made by a factory is left alone: which class it returns is known only per request.
   */
  bindWrapper(wrapper: InstanceWrapper, classesByName = new Map<string, unknown>()): void {
    const perInstance = wrapper.isDependencyTreeStatic() && !wrapper.isTransient;
    const instance: unknown = perInstance ? wrapper.instance : undefined;
    let prototype: object | undefined;
    if (perInstance) {
      if (instance !== null && typeof instance === 'object') {
        prototype = Object.getPrototypeOf(instance) as object;
      }
    } else if (!wrapper.isFactory && typeof wrapper.metatype === 'function') {
      prototype = wrapper.metatype.prototype as object;
    }
    if (prototype === undefined || prototype === null) return;
    const methods = this.scanner
      .getAllMethodNames(prototype)
      .filter((name) => this.accessor.isDecorated((prototype as Record<string, unknown>)[name]));
    if (methods.length === 0) return;
    this.checkDefaultKeys(prototype, methods, classesByName);
    if (perInstance) {
      bindInstance(instance as object, this.binding);
      this.boundInstances.push(instance as object);
    } else {
      bindPrototype(prototype, this.binding);
      this.boundPrototypes.push(prototype);
    }
  }

  /** Warns when two classes of the same name both use default keys: their keys would collide. */
  private checkDefaultKeys(
    prototype: object,
    methods: string[],
    classesByName: Map<string, unknown>,
  ): void {
    const usesDefaultKeys = methods.some((name) => {
      const options = this.accessor.getCachedOptions((prototype as Record<string, unknown>)[name]);
      return options !== undefined && options.key === undefined;
    });
    if (!usesDefaultKeys) return;
    const ctor = (prototype as { constructor?: { name?: string } }).constructor;
    const name = ctor?.name ?? '';
    const seen = classesByName.get(name);
    if (seen === undefined) classesByName.set(name, ctor);
    else if (seen !== ctor) this.binding.logger.warn(SHARED_DEFAULT_KEY(name));
  }
}
