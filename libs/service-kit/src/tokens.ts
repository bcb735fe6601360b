/** Injection token of the service's parsed config (the object `bootstrapService` loaded). */
export const SERVICE_CONFIG = 'kuroshio:service-config';
/** Injection token of the service name (`collector`, `etl`, ...). */
export const SERVICE_NAME = 'kuroshio:service-name';
/** Injection token of the service's pino logger (the one logger of the process). */
export const SERVICE_LOGGER = 'kuroshio:service-logger';
